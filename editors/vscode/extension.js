// The Axon extension: the language (grammar, brackets, snippets) comes from package.json;
// this starts the language server, `axon lsp`, for .axon files. The command is the setting
// axon.server.path (default: `axon` on the PATH), with axon.server.args.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
    const config = vscode.workspace.getConfiguration('axon');
    const command = config.get('server.path') || 'axon';
    const args = ['lsp', ...(config.get('server.args') || [])];
    const env = Object.assign({}, process.env);
    const stdlib = config.get('stdlib');
    if (stdlib)
        env.AXON_STDLIB = stdlib;
    client = new LanguageClient('axon', 'Axon language server',
        { command, args, options: { env } },
        { documentSelector: [{ scheme: 'file', language: 'axon' }] });
    context.subscriptions.push({ dispose: () => client && client.stop() });
    return client.start();
}

function deactivate() {
    return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
