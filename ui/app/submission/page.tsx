import type { Metadata } from "next";
import { Suspense } from "react";
import { SubmissionPage } from "@/components/SubmissionView";

export const metadata: Metadata = { title: "Submission" };

export default function Page() {
  return (
    <Suspense>
      <SubmissionPage />
    </Suspense>
  );
}
