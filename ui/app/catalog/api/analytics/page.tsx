import type { Metadata } from "next";
import { Suspense } from "react";
import { AnalyticsPage } from "@/components/AnalyticsPage";

export const metadata: Metadata = { title: "API analytics" };

export default function Page() {
  return (
    <Suspense>
      <AnalyticsPage />
    </Suspense>
  );
}
