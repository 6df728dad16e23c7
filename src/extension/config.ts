// The extension's settings, declared in package.json and read here only, typed.

import * as vscode from 'vscode';
import { isExecutionProviderName, type ExecutionProviderName } from '../core/models/providers';
import { boundedSetting } from './config-limits';

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
  /** Close the text encoders between uses on every provider (the CLI's --low-memory). */
  lowMemory: boolean;
}

export const CONFIG_SECTION = 'sdprompt';

function providerSetting(value: unknown): ExecutionProviderName {
  return typeof value === 'string' && isExecutionProviderName(value) ? value : 'auto';
}

export function readConfig(scope?: vscode.ConfigurationScope): SdpromptConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  return {
    model: c.get<string>('model', '').trim(),
    executionProvider: providerSetting(c.get<unknown>('executionProvider')),
    threads: boundedSetting('threads', c.get<unknown>('threads')),
    deviceId: boundedSetting('deviceId', c.get<unknown>('deviceId')),
    idleMinutes: boundedSetting('idleMinutes', c.get<unknown>('idleMinutes')),
    livePreview: c.get<boolean>('livePreview', true),
    lowMemory: c.get<unknown>('lowMemory') === true,
  };
}

export async function setConfiguredModel(folder: string): Promise<void> {
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update('model', folder, vscode.ConfigurationTarget.Global);
}
