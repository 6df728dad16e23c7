// The extension's settings, declared in package.json and read here only, typed.

import * as vscode from 'vscode';
import type { ExecutionProviderName } from '../core/models/providers';

export interface SdpromptConfig {
  /** The configured model folder; empty: the shipped demo model. */
  model: string;
  executionProvider: ExecutionProviderName;
  threads: number;
  /** The GPU for CUDA and DirectML, 0 the first. */
  deviceId: number;
  /** Minutes without a run before the engine unloads the model; 0 keeps it loaded. */
  idleMinutes: number;
  livePreview: boolean;
}

export const CONFIG_SECTION = 'sdprompt';

export function readConfig(scope?: vscode.ConfigurationScope): SdpromptConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  return {
    model: c.get<string>('model', '').trim(),
    executionProvider: c.get<ExecutionProviderName>('executionProvider', 'auto'),
    threads: Math.max(0, Math.floor(c.get<number>('threads', 0))),
    deviceId: Math.max(0, Math.floor(c.get<number>('deviceId', 0))),
    idleMinutes: Math.max(0, c.get<number>('idleMinutes', 5)),
    livePreview: c.get<boolean>('livePreview', true),
  };
}

export async function setConfiguredModel(folder: string): Promise<void> {
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update('model', folder, vscode.ConfigurationTarget.Global);
}
