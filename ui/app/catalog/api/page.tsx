import type { Metadata } from "next";
import { Suspense } from "react";
import { ApiPage } from "@/components/ApiPage";

export const metadata: Metadata = { title: "API" };

export default function Page() {
  return (
    <Suspense>
      <ApiPage />
    </Suspense>
  );
}
