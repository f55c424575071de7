// Starts `cfncheck lsp` for the workspace and lets VS Code's language client speak to it.
// The server decides what is a CloudFormation template; other YAML and JSON files get nothing.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration("cfncheck").get("path", "cfncheck");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
  return configured.replaceAll("${workspaceFolder}", folder);
}

function activate(context) {
  const serverOptions = { command: serverCommand(), args: ["lsp"] };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "json" },
      { scheme: "file", pattern: "**/*.template" },
    ],
    synchronize: {
      // a changed configuration changes what every open template reports
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{.cfncheck.yaml,.cfncheck.yml,pyproject.toml}"),
    },
  };
  client = new LanguageClient("cfncheck", "cfncheck", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
