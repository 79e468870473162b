import type { Metadata } from "next";
import { Suspense } from "react";
import { TestsPage } from "@/components/TestRuns";

export const metadata: Metadata = { title: "Contract tests" };

export default function Page() {
  return (
    <Suspense>
      <TestsPage />
    </Suspense>
  );
}
