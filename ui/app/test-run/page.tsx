import type { Metadata } from "next";
import { Suspense } from "react";
import { TestRunPage } from "@/components/TestRunView";

export const metadata: Metadata = { title: "Contract test run" };

export default function Page() {
  return (
    <Suspense>
      <TestRunPage />
    </Suspense>
  );
}
