/**
 * The native host's external-tool requests: list the hand-offs, set up rclone or the AWS CLI for
 * a vault storage, and update the tools after a rotated key. The storage's secret and the
 * passphrase for external tools arrive in the request, live in memory for that request only, and
 * go nowhere but the encrypted rclone config and tool key file (handoff/).
 */
import type { ToolsListData, ToolsSetupData, ToolsUpdateData, ToolsUpdateResult } from '../../../shared/protocol/companion-protocol.ts';
import type { ToolEntryView, ToolSetupView, ToolsListView } from '../../../shared/protocol/views.ts';
import { setupAws } from '../handoff/setup-aws.ts';
import { setupRclone } from '../handoff/setup-rclone.ts';
import { readToolIndex, type HandoffEntry } from '../handoff/tool-index.ts';
import { toolKeysExist } from '../handoff/tool-keys.ts';
import { toolIndexPath, toolKeysPath, type Env } from '../handoff/tool-paths.ts';
import { toolsUsingOldKeys, updateTools } from '../handoff/update-tools.ts';
import type { CompanionHandlers } from './serve-native-host.ts';

function entryView(entry: HandoffEntry): ToolEntryView {
  return { tool: entry.tool, name: entry.name, configPath: entry.configPath, storageName: entry.storageName, endpoint: entry.endpoint, bucket: entry.bucket, accessKey: entry.accessKey, updatedAt: entry.updatedAt };
}

export async function listToolsRequest(data: ToolsListData, env: Env = process.env): Promise<ToolsListView> {
  const entries = await readToolIndex(toolIndexPath(env));
  const chosen = data.storage === undefined ? entries : toolsUsingOldKeys(entries, { credentials: data.storage, oldAccessKeys: data.oldAccessKeys ?? [] });
  const keysPath = toolKeysPath(env);
  return { toolKeysPath: keysPath, toolKeysExist: await toolKeysExist(keysPath), tools: chosen.map(entryView) };
}

export async function setupToolRequest(data: ToolsSetupData, env: Env = process.env): Promise<ToolSetupView> {
  const input = { credentials: data.storage, toolPassphrase: data.toolPassphrase, env, replace: data.replace === true, ...(data.name ? { name: data.name } : {}) };
  const output = data.tool === 'rclone' ? await setupRclone(input) : await setupAws(input);
  return { tool: output.tool, name: output.name, configPath: output.configPath, toolKeysPath: output.toolKeysPath, toolKeysCreated: output.toolKeysCreated, replaced: output.replaced, guide: output.guide };
}

export async function updateToolsRequest(data: ToolsUpdateData, env: Env = process.env): Promise<ToolsUpdateResult> {
  const results = await updateTools({ credentials: data.storage, oldAccessKeys: data.oldAccessKeys, toolPassphrase: data.toolPassphrase, env });
  return {
    results: results.map(({ updated, check }) => ({ tool: updated.tool, name: updated.name, configPath: updated.configPath, bucket: updated.bucket, status: check.status, message: check.message })),
  };
}

export const toolHandlers: Pick<CompanionHandlers, 'tools.list' | 'tools.setup' | 'tools.update'> = {
  'tools.list': (data) => listToolsRequest(data),
  'tools.setup': (data) => setupToolRequest(data),
  'tools.update': (data) => updateToolsRequest(data),
};
