import type { Metadata } from "next";
import Link from "next/link";
import { paths } from "@/lib/paths";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <section className="narrow">
      <h1>There is no such page</h1>
      <p>
        The address may be mistyped, or the page may have moved. Every API is in the{" "}
        <Link href={paths.catalog}>catalog</Link>.
      </p>
    </section>
  );
}
