import type { Metadata } from "next";
import { TeamPage } from "@/components/TeamPage";

export const metadata: Metadata = { title: "My team" };

export default function Page() {
  return <TeamPage />;
}
