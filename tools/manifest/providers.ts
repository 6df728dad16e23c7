// Keeps the `sdprompt.executionProvider` setting in package.json in step with the provider list
// (src/core/models/providers.ts): `npm run build:manifest` rewrites the enum and its
// descriptions, and a unit test checks that the committed manifest says the same.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXECUTION_PROVIDERS } from '../../src/core/models/providers';

export const MANIFEST_PATH = join(__dirname, '..', '..', '..', 'package.json');
export const PROVIDER_SETTING = 'sdprompt.executionProvider';

interface EnumSetting {
  enum?: string[];
  enumDescriptions?: string[];
}

/** The setting's declaration in a parsed manifest. */
export function providerSetting(manifest: unknown): EnumSetting {
  const setting = (manifest as { contributes?: { configuration?: { properties?: Record<string, EnumSetting> } } }).contributes?.configuration
    ?.properties?.[PROVIDER_SETTING];
  if (!setting) throw new Error(`package.json declares no setting ${PROVIDER_SETTING}`);
  return setting;
}

/** The manifest text with the setting's enum and descriptions set from the provider list. */
export function manifestWithProviders(manifestText: string): string {
  const manifest = JSON.parse(manifestText) as unknown;
  const setting = providerSetting(manifest);
  setting.enum = EXECUTION_PROVIDERS.map((p) => p.name);
  setting.enumDescriptions = EXECUTION_PROVIDERS.map((p) => p.description);
  return JSON.stringify(manifest, null, 2) + '\n';
}

if (require.main === module) {
  writeFileSync(MANIFEST_PATH, manifestWithProviders(readFileSync(MANIFEST_PATH, 'utf8')));
}
