import type { Metadata } from "next";
import { OutboxPage } from "@/components/Outbox";

export const metadata: Metadata = { title: "Outbox" };

export default function Page() {
  return <OutboxPage />;
}
