import type { Metadata } from "next";
import { Suspense } from "react";
import { SignInForm } from "@/components/SignInForm";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <Suspense>
        <SignInForm />
      </Suspense>
    </section>
  );
}
