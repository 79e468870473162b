import type { Metadata } from "next";
import { Submit } from "@/components/SubmitForm";

export const metadata: Metadata = { title: "Submit an API" };

export default function SubmitPage() {
  return (
    <section className="wide">
      <h1>Submit an API</h1>
      <Submit />
    </section>
  );
}
