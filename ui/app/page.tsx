import type { Metadata } from "next";
import { Suspense } from "react";
import { Catalog } from "@/components/Catalog";

export const metadata: Metadata = { title: "Catalog" };

export default function CatalogPage() {
  return (
    <section>
      <h1>API catalog</h1>
      <Suspense>
        <Catalog />
      </Suspense>
    </section>
  );
}
