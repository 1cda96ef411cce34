import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'Spillway',
  description: 'Self-hosted event collection with hourly export to Amazon S3',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// every page is rendered per request: its scripts carry the nonce of that request's CSP (proxy.ts)
export default async function RootLayout({ children }: { children: ReactNode }) {
  await headers();
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
