// Completion: setting keys at the start of a line, and values after a key: sampler names (each
// sampler by its A1111 name first, then the other spellings), rng names, sizes, folders for
// `model:`, the values the settings table names (the schedule types among them), and pictures for
// the settings that take a file (`init:`, `mask:`, `depth:`).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTINGS, SETTING_KEYS, settingKeyFor } from '../core/format/settings';
import { PICTURE_FILE_NAME } from '../core/image/header';
import { RNG_NAMES } from '../core/noise';
import { a1111SamplerNames, resolveSampler, samplerNames } from '../core/schedulers/registry';
import { SCHEDULE_LABELS } from '../core/schedulers/scheduleTypes';
import { resolveModelPath } from '../core/format/resolve';
import { LANGUAGE_ID } from './documents';

const OFFERED_VALUES = new Set<string>(['sampler', 'rng', 'size', 'model', ...SETTING_KEYS.filter((k) => SETTINGS[k].values || SETTINGS[k].file)]);
const COMMON_SIZES = ['512x512', '768x768', '512x768', '768x512', '640x448', '448x640', '64x64'];

function keyItems(range: vscode.Range): vscode.CompletionItem[] {
  return SETTING_KEYS.map((key, i) => {
    const item = new vscode.CompletionItem(key, vscode.CompletionItemKind.Property);
    item.detail = SETTINGS[key].summary;
    item.range = range;
    item.sortText = String(i).padStart(2, '0');
    if (OFFERED_VALUES.has(key)) {
      // Keys whose values completion lists: insert the key and offer them at once.
      item.insertText = `${key}: `;
      item.command = { command: 'editor.action.triggerSuggest', title: 'values' };
    } else {
      item.insertText = new vscode.SnippetString(`${key}: \${1:${SETTINGS[key].example}}`);
    }
    return item;
  });
}

function valueItems(values: readonly { label: string; detail?: string }[], range: vscode.Range, kind: vscode.CompletionItemKind): vscode.CompletionItem[] {
  return values.map((v, i) => {
    const item = new vscode.CompletionItem(v.label, kind);
    if (v.detail) item.detail = v.detail;
    item.range = range;
    item.sortText = String(i).padStart(3, '0');
    return item;
  });
}

function samplerItems(range: vscode.Range): vscode.CompletionItem[] {
  const first = a1111SamplerNames();
  const names = [...first, ...samplerNames().filter((name) => !first.includes(name))];
  return valueItems(
    names.map((name) => {
      const choice = resolveSampler(name)!;
      const schedule = choice.schedule === 'automatic' ? '' : `, ${SCHEDULE_LABELS[choice.schedule]} schedule`;
      return { label: name, detail: `${choice.sampler.a1111[0]!}: ${choice.sampler.diffusersClass}${schedule}` };
    }),
    range,
    vscode.CompletionItemKind.EnumMember,
  );
}

/** The entries of the folder a typed path is in (relative to the prompt file), and that folder as typed. */
async function entriesBeside(document: vscode.TextDocument, typed: string) {
  const slash = typed.lastIndexOf('/');
  const parentSpec = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const parent = resolveModelPath(parentSpec || '.', path.dirname(document.uri.fsPath));
  return { parentSpec, parent, entries: await fs.readdir(parent, { withFileTypes: true }).catch(() => []) };
}

/** Pictures and folders beside the prompt file (or under the folder typed so far). */
async function imageItems(document: vscode.TextDocument, typed: string, range: vscode.Range): Promise<vscode.CompletionItem[]> {
  const { parentSpec, entries } = await entriesBeside(document, typed);
  return entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || PICTURE_FILE_NAME.test(e.name)))
    .map((e) => {
      const item = new vscode.CompletionItem(parentSpec + e.name, e.isDirectory() ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.File);
      item.range = range;
      item.sortText = `${e.isDirectory() ? 1 : 0}${e.name}`;
      if (e.isDirectory()) item.command = { command: 'editor.action.triggerSuggest', title: 'more' };
      return item;
    });
}

async function folderItems(document: vscode.TextDocument, typed: string, range: vscode.Range): Promise<vscode.CompletionItem[]> {
  const { parentSpec, parent, entries } = await entriesBeside(document, typed);
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const items = await Promise.all(
    folders.map(async (e) => {
      const full = path.join(parent, e.name);
      const isModel = await fs.access(path.join(full, 'unet')).then(() => true, () => false);
      const item = new vscode.CompletionItem(parentSpec + e.name, isModel ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Folder);
      item.detail = isModel ? 'model folder (diffusers/Optimum ONNX layout)' : 'folder';
      item.range = range;
      item.sortText = `${isModel ? 0 : 1}${e.name}`;
      if (!isModel) item.command = { command: 'editor.action.triggerSuggest', title: 'more' };
      return item;
    }),
  );
  return items;
}

export const completionProvider: vscode.CompletionItemProvider = {
  async provideCompletionItems(document, position) {
    const line = document.lineAt(position.line).text;
    const before = line.slice(0, position.character);
    if (/^[A-Za-z_-]*$/.test(before)) {
      return keyItems(new vscode.Range(position.line, 0, position.line, position.character));
    }
    const setting = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$/.exec(before);
    const key = setting ? settingKeyFor(setting[1]!) : undefined;
    if (!setting || !key) return undefined;
    const typed = setting[2]!;
    const range = new vscode.Range(position.line, position.character - typed.length, position.line, position.character);
    switch (key) {
      case 'sampler':
        return samplerItems(range);
      case 'rng':
        return valueItems(RNG_NAMES.map((label) => ({ label })), range, vscode.CompletionItemKind.EnumMember);
      case 'size':
        return valueItems(COMMON_SIZES.map((label) => ({ label })), range, vscode.CompletionItemKind.Value);
      case 'model':
        return folderItems(document, typed, range);
      default: {
        const { values, file } = SETTINGS[key];
        const named = values ? valueItems(values.map((label) => ({ label })), range, vscode.CompletionItemKind.EnumMember) : [];
        return file ? [...named, ...(await imageItems(document, typed, range))] : values ? named : undefined;
      }
    }
  },
};

export function registerCompletion(): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider({ language: LANGUAGE_ID }, completionProvider, ':', ' ', '/');
}
