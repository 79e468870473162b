import type { Metadata } from "next";
import { Suspense } from "react";
import { LintPage } from "@/components/ApiLint";

export const metadata: Metadata = { title: "Lint" };

export default function Page() {
  return (
    <Suspense>
      <LintPage />
    </Suspense>
  );
}
