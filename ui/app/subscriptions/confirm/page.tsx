import type { Metadata } from "next";
import { Suspense } from "react";
import { ConfirmSubscription } from "@/components/ConfirmSubscription";

export const metadata: Metadata = { title: "Confirm notifications" };

export default function Page() {
  return (
    <Suspense>
      <ConfirmSubscription />
    </Suspense>
  );
}
