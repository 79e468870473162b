import type { NextConfig } from "next";

// A static export: plain files that the local gateway serves beside the API, and that each stage's
// CloudFront distribution serves from a private bucket in AWS. Pages take their ids from the query string (/catalog/api/?id=...),
// so no route needs a server.
const config: NextConfig = {
  output: "export",
  trailingSlash: true,
  images: { unoptimized: true },
  poweredByHeader: false,
  reactStrictMode: true,
  productionBrowserSourceMaps: false,
  turbopack: { root: __dirname },
};

export default config;
