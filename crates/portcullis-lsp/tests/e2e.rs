//! End-to-end: the server binary driven over stdio with JSON-RPC, as an editor drives it.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../../tests/support/module_sources.rs"]
mod module_sources;

use common::{Client, TempDir, uri};
use serde_json::{Value, json};

const MAIN: &str = r#"resource "aws_security_group" "web" {
  name = "web"
  ingress {
    description = "ssh"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "db"
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = [var.db_cidr]
  }
}
"#;

const VARIABLES: &str = r#"variable "office_cidr" {
  default = "203.0.113.0/24"
}

variable "db_cidr" {
  default = "0.0.0.0/0"
}
"#;

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": {"line": start.0, "character": start.1},
        "end": {"line": end.0, "character": end.1},
    })
}

/// `(code, range)` of each diagnostic, in order.
fn summary(diagnostics: &[Value]) -> Vec<(String, Value)> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap_or("").to_owned(),
                diagnostic["range"].clone(),
            )
        })
        .collect()
}

fn open(client: &mut Client, path: &std::path::Path, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(path), "languageId": "terraform", "version": 1, "text": text}}),
    );
}

fn code_actions(client: &mut Client, path: &std::path::Path, range: &Value) -> Vec<Value> {
    client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(path)}, "range": range, "context": {"diagnostics": []}}),
        )
        .as_array()
        .cloned()
        .unwrap()
}

fn hover(client: &mut Client, path: &std::path::Path, line: u32, character: u32) -> String {
    let result = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}}),
    );
    result["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// The diagnostics of `other` published by the analysis that published `path` at `version`.
fn published_with(
    client: &mut Client,
    path: &std::path::Path,
    version: i32,
    other: &std::path::Path,
) -> Vec<Value> {
    let mut latest = Vec::new();
    loop {
        let params = client.wait_for("textDocument/publishDiagnostics", |_| true);
        if params["uri"] == uri(other) {
            latest = params["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        } else if params["uri"] == uri(path) && params["version"] == version {
            return latest;
        }
    }
}

fn shutdown(mut client: Client) -> i32 {
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    client.wait()
}

#[test]
fn diagnostics_quick_fixes_hover_and_a_clean_shutdown() {
    let dir = TempDir::new("session");
    let main = dir.write("main.tf", MAIN);
    let variables = dir.write("variables.tf", VARIABLES);
    let mut client = Client::spawn();
    let initialized = client.initialize(dir.path(), json!({}), json!({}));
    assert_eq!(initialized["capabilities"]["hoverProvider"], true);
    assert_eq!(initialized["capabilities"]["positionEncoding"], "utf-16");

    open(&mut client, &main, MAIN);
    let ssh = range((7, 19), (7, 30));
    let db = range((14, 19), (14, 30));
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(
        summary(&diagnostics),
        [
            ("SG002".to_owned(), ssh.clone()),
            ("SG003".to_owned(), db.clone())
        ]
    );
    let first = &diagnostics[0];
    assert_eq!(first["severity"], 1);
    assert_eq!(first["source"], "portcullis");
    assert_eq!(
        first["codeDescription"]["href"],
        "https://github.com/portcullis-sec/portcullis/blob/main/docs/rules/SG002.md"
    );
    // The database rule's source comes from the variable default: a related location.
    assert_eq!(
        diagnostics[1]["relatedInformation"][0]["location"]["uri"],
        uri(&variables)
    );
    // Every file of the module gets a list, empty when it has no finding.
    assert!(client.diagnostics_for(&variables).is_empty());

    // The trusted CIDR the module names is offered as an unsafe (not preferred) quick fix;
    // suppressing is offered too.
    let actions = code_actions(&mut client, &main, &ssh);
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], Value::Null);
    // An unsafe fix says so in its title, as the CLI's `(unsafe)` does.
    assert!(
        fix["title"].as_str().unwrap().ends_with(" (unsafe)"),
        "{}",
        fix["title"]
    );
    let change = &fix["edit"]["documentChanges"][0];
    assert_eq!(
        change["textDocument"],
        json!({"uri": uri(&main), "version": 1})
    );
    assert_eq!(
        change["edits"][0],
        json!({"range": ssh, "newText": "\"203.0.113.0/24\""})
    );
    let suppress = actions.last().unwrap();
    assert_eq!(suppress["title"], "Suppress SG002 here, with a reason");
    assert_eq!(
        suppress["edit"]["documentChanges"][0]["edits"][0]["newText"],
        "    # portcullis:ignore[SG002] reason=\"explain why this exposure is acceptable\"\n"
    );

    // Hover inside the literal: the finding with its rule documentation, and the CIDR.
    let text = hover(&mut client, &main, 7, 22);
    assert!(
        text.starts_with("**SG002 admin-port-open-to-internet** (high)"),
        "{text}"
    );
    assert!(text.contains("Exposed services: ssh (22/tcp)"), "{text}");
    assert!(text.contains("## Why is this bad?"), "{text}");
    assert!(
        text.contains("**`0.0.0.0/0`**: IPv4, 4,294,967,296 addresses"),
        "{text}"
    );
    assert!(text.contains("Reach: public: the whole internet"), "{text}");

    // An incremental edit: the literal gets host bits, whose fix is safe and so preferred.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(&main), "version": 2},
            "contentChanges": [{"range": ssh, "text": "\"10.0.0.1/8\""}],
        }),
    );
    let canonical = range((7, 19), (7, 31));
    assert_eq!(
        summary(&client.diagnostics_for(&main)),
        [
            ("SG016".to_owned(), canonical.clone()),
            ("SG003".to_owned(), db.clone())
        ]
    );
    let actions = code_actions(&mut client, &main, &canonical);
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(
        actions[0]["edit"]["documentChanges"][0],
        json!({
            "textDocument": {"uri": uri(&main), "version": 2},
            "edits": [{"range": canonical, "newText": "\"10.0.0.0/8\""}],
        })
    );

    // The unsaved variable default decides main.tf's findings; closing it restores the disk's.
    open(&mut client, &variables, VARIABLES);
    // The publications of one analysis come in path order, main.tf before variables.tf: waiting
    // for variables.tf at a version skips older analyses and gives main.tf's of the same one.
    assert_eq!(published_with(&mut client, &variables, 1, &main).len(), 2);
    let text = hover(&mut client, &variables, 1, 16);
    assert!(
        text.contains("**`203.0.113.0/24`**: IPv4, 256 addresses, 0 of them public"),
        "{text}"
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(&variables), "version": 2},
            "contentChanges": [{"text": VARIABLES.replace("0.0.0.0/0", "10.20.0.0/16")}],
        }),
    );
    assert_eq!(
        summary(&published_with(&mut client, &variables, 2, &main)),
        [("SG016".to_owned(), canonical.clone())]
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&variables)}}),
    );
    assert_eq!(
        summary(&client.diagnostics_for(&main)),
        [("SG016".to_owned(), canonical), ("SG003".to_owned(), db)]
    );

    assert_eq!(shutdown(client), 0);
}

const SSH: &str = r#"resource "aws_security_group" "ssh" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

fn change_all(client: &mut Client, path: &std::path::Path, version: i32, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(path), "version": version},
            "contentChanges": [{"text": text}],
        }),
    );
}

#[test]
fn a_file_that_does_not_parse_keeps_its_last_findings() {
    let dir = TempDir::new("parse");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, SSH);
    let open_ssh = vec![("SG002".to_owned(), range((5, 19), (5, 30)))];
    assert_eq!(summary(&client.diagnostics_for(&main)), open_ssh);

    change_all(
        &mut client,
        &main,
        2,
        &format!("{SSH}resource \"x\" \"y\" {{\n"),
    );
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    assert_eq!(summary(&diagnostics[..1]), open_ssh);
    let parse_error = &diagnostics[1];
    assert_eq!(parse_error["severity"], 1);
    assert_eq!(parse_error["code"], Value::Null);
    assert_eq!(parse_error["range"]["start"]["line"], 8);
    assert!(!parse_error["message"].as_str().unwrap().is_empty());

    change_all(&mut client, &main, 3, SSH);
    assert_eq!(summary(&client.diagnostics_for(&main)), open_ssh);
    // Saving publishes again, for the saved version.
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&main)}}),
    );
    let params = client.wait_for("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri(&main)
    });
    assert_eq!(params["version"], 3);
    assert_eq!(shutdown(client), 0);
}

#[test]
fn the_suppress_quick_fix_is_invalid_until_its_reason_is_written() {
    let dir = TempDir::new("placeholder");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, SSH);
    let ssh = range((5, 19), (5, 30));
    assert_eq!(client.diagnostics_for(&main).len(), 1);
    let actions = code_actions(&mut client, &main, &ssh);
    let suppress = actions.last().unwrap();
    let edit = &suppress["edit"]["documentChanges"][0]["edits"][0];
    // The client applies the quick fix as it is.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(&main), "version": 2},
            "contentChanges": [{"range": edit["range"], "text": edit["newText"]}],
        }),
    );
    let codes: Vec<String> = summary(&client.diagnostics_for(&main))
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    assert_eq!(codes, ["SUP003", "SG002"]);
    // With a reason written, the finding is suppressed.
    let placeholder = edit["newText"].as_str().unwrap();
    let written = placeholder.replace(
        "explain why this exposure is acceptable",
        "bastion host, reviewed in SEC-7",
    );
    let start = SSH.find("    cidr_blocks").unwrap();
    let text = format!("{}{written}{}", &SSH[..start], &SSH[start..]);
    change_all(&mut client, &main, 3, &text);
    assert_eq!(client.diagnostics_for(&main), Vec::<Value>::new());
    assert_eq!(shutdown(client), 0);
}

#[test]
fn findings_kept_while_a_file_does_not_parse_move_with_the_edits() {
    let dir = TempDir::new("drift");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, SSH);
    assert_eq!(client.diagnostics_for(&main).len(), 1);
    // Three lines inserted at the top, the last of them opening a block that never closes.
    change_all(
        &mut client,
        &main,
        2,
        &format!("# one\n# two\nresource \"x\" \"y\" {{\n{SSH}"),
    );
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(diagnostics[0]["code"], "SG002");
    assert_eq!(diagnostics[0]["range"], range((8, 19), (8, 30)));
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    // An edit inside the kept finding's range drops it: only the parse error is left.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(&main), "version": 3},
            "contentChanges": [{"range": range((8, 20), (8, 21)), "text": "1"}],
        }),
    );
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], Value::Null);
    assert_eq!(shutdown(client), 0);
}

#[test]
fn a_file_over_the_finding_cap_shows_the_findings_kept_and_the_note() {
    let dir = TempDir::new("cap");
    let text: String = (0..1001)
        .map(|index| SSH.replace("\"ssh\"", &format!("\"ssh{index}\"")))
        .collect();
    let main = dir.write("main.tf", &text);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, &text);
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(diagnostics.len(), 1001);
    let findings = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "SG002")
        .count();
    assert_eq!(findings, 1000);
    assert!(
        diagnostics.iter().any(|diagnostic| diagnostic["message"]
            .as_str()
            .unwrap()
            .starts_with("1 more findings in this file were not reported")),
        "{:?}",
        diagnostics.last()
    );
    assert_eq!(shutdown(client), 0);
}

#[test]
fn only_the_newest_of_a_burst_of_edits_is_published() {
    let dir = TempDir::new("burst");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, SSH);
    assert_eq!(client.diagnostics_for(&main).len(), 1);
    let closed = SSH.replace("0.0.0.0/0", "10.0.0.0/8");
    for version in 2..=20 {
        let text = if version % 2 == 0 {
            closed.as_str()
        } else {
            SSH
        };
        change_all(&mut client, &main, version, text);
    }
    let params = client.wait_for("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri(&main)
    });
    assert_eq!(params["version"], 20);
    assert_eq!(params["diagnostics"], json!([]));
    assert_eq!(shutdown(client), 0);
}

#[test]
fn configuration_is_read_and_reloaded() {
    let dir = TempDir::new("config");
    let config = dir.write("portcullis.toml", "[rules]\ndisable = [\"SG002\"]\n");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    let watching = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    client.initialize(dir.path(), watching, json!({}));
    let logged = client.wait_for("window/logMessage", |_| true);
    let logged = logged["message"].as_str().unwrap();
    assert!(
        logged.ends_with("/portcullis.toml read; rules disabled: SG002"),
        "{logged}"
    );
    let registration = client.wait_for("client/registerCapability", |_| true);
    let registration = &registration["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/portcullis.toml"
    );
    open(&mut client, &main, SSH);
    assert_eq!(client.diagnostics_for(&main), Vec::<Value>::new());

    std::fs::write(&config, "[rules]\ndisable = []\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(
        summary(&diagnostics),
        [("SG002".to_owned(), range((5, 19), (5, 30)))]
    );
    // The whole configuration applies, as in the CLI: a severity override (info is a hint).
    assert_eq!(diagnostics[0]["severity"], 1);
    std::fs::write(&config, "[rules.severity]\nSG002 = \"info\"\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(client.diagnostics_for(&main)[0]["severity"], 4);
    assert_eq!(shutdown(client), 0);
}

#[test]
fn cloudformation_templates_are_detected_by_content() {
    let dir = TempDir::new("cfn");
    let yaml = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  WebSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n";
    let template = dir.write("stack.yaml", yaml);
    let other = dir.write("values.yaml", "replicas: 2\n");
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &template, yaml);
    let ssh = range((10, 18), (10, 27));
    assert_eq!(
        summary(&client.diagnostics_for(&template)),
        [("SG002".to_owned(), ssh.clone())]
    );
    let actions = code_actions(&mut client, &template, &ssh);
    let suppress = actions.last().unwrap();
    assert_eq!(
        suppress["edit"]["documentChanges"][0]["edits"][0],
        json!({
            "range": range((10, 0), (10, 0)),
            "newText": "          # portcullis:ignore[SG002] reason=\"explain why this exposure is acceptable\"\n",
        })
    );
    open(&mut client, &other, "replicas: 2\n");
    assert!(client.diagnostics_for(&other).is_empty());
    assert_eq!(shutdown(client), 0);
}

#[test]
fn bad_input_never_stops_the_server() {
    let dir = TempDir::new("robust");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    let early = client.request_raw("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    client.initialize(dir.path(), json!({}), json!({}));

    let unknown = client.request_raw("portcullis/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let invalid = client.request_raw("textDocument/hover", json!({"nonsense": 1}));
    assert_eq!(invalid["error"]["code"], -32602);
    client.notify("textDocument/didOpen", json!({"textDocument": 42}));
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri(&main), "version": 3}, "contentChanges": [{"text": "x"}]}));
    client.notify("$/unknownNotification", json!([1, 2]));
    client.send_raw(r#"{"jsonrpc": "2.0", "id": "not-ours", "result": null}"#);
    client.send_raw("{this is not JSON");
    client.send_raw(r#"{"jsonrpc": "2.0", "no": "method"}"#);
    let nothing = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "untitled:Untitled-1"}, "range": range((0, 0), (0, 0)), "context": {"diagnostics": []}}),
    );
    assert_eq!(nothing, json!([]));
    assert_eq!(hover(&mut client, &main, 999, 999), "");

    // Still serving.
    open(&mut client, &main, SSH);
    assert_eq!(client.diagnostics_for(&main).len(), 1);
    assert_eq!(hover(&mut client, &main, 999, 999), "");

    // `exit` without `shutdown` ends the process with 1.
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), 1);
}

const SSH_FROM_VARIABLE: &str = r#"variable "cidr" {
  default = "10.0.0.0/8"
}

resource "aws_security_group" "ssh" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.cidr]
  }
}
"#;

#[test]
fn changes_on_disk_are_seen_without_file_watches() {
    let dir = TempDir::new("poll");
    let main = dir.write("main.tf", SSH);
    let mut client = Client::spawn();
    // No `didChangeWatchedFiles` capability, as in Neovim 0.11 on Linux, Helix or kak-lsp.
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, SSH);
    assert_eq!(client.diagnostics_for(&main).len(), 1);
    // A configuration file saved next to it, which the client does not report.
    dir.write("portcullis.toml", "[rules]\ndisable = [\"SG002\"]\n");
    assert_eq!(client.diagnostics_for(&main), Vec::<Value>::new());
    // Rewritten: the rule is back.
    dir.write("portcullis.toml", "[rules]\ndisable = []\n");
    assert_eq!(client.diagnostics_for(&main).len(), 1);
    assert_eq!(shutdown(client), 0);

    // A tfvars file that is not open, rewritten on disk.
    let dir = TempDir::new("poll-tfvars");
    let main = dir.write("main.tf", SSH_FROM_VARIABLE);
    dir.write("terraform.tfvars", "cidr = \"10.1.0.0/16\"\n");
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, SSH_FROM_VARIABLE);
    assert_eq!(client.diagnostics_for(&main), Vec::<Value>::new());
    dir.write("terraform.tfvars", "cidr = \"0.0.0.0/0\"\n");
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(summary(&diagnostics)[0].0, "SG002");
    assert_eq!(shutdown(client), 0);
}

#[test]
fn the_editor_judges_a_file_as_the_cli_does() {
    let dir = TempDir::new("like-ci");
    // A configuration nearer the file than the workspace root applies, as in the CLI.
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    dir.write("infra/portcullis.toml", "[rules]\ndisable = [\"SG002\"]\n");
    let infra = dir.write("infra/main.tf", SSH);
    // So does its size limit, to open buffers too.
    std::fs::create_dir_all(dir.path().join("small")).unwrap();
    dir.write("small/portcullis.toml", "max-file-size = 50\n");
    let small = dir.write("small/main.tf", SSH);
    // A file saved in Latin-1 is not analysed, and the problem sits on the byte.
    std::fs::create_dir_all(dir.path().join("latin1")).unwrap();
    let latin1 = dir.path().join("latin1/main.tf");
    let at = SSH.find("ssh").unwrap() + 1;
    let mut bytes = SSH.as_bytes().to_vec();
    bytes[at] = 0xE9;
    std::fs::write(&latin1, &bytes).unwrap();
    let decoded: String = bytes.iter().map(|byte| char::from(*byte)).collect();

    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &infra, SSH);
    assert_eq!(client.diagnostics_for(&infra), Vec::<Value>::new());
    open(&mut client, &small, SSH);
    let diagnostics = client.diagnostics_for(&small);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("over the 50-byte limit; it was not analysed"),
        "{diagnostics:?}"
    );
    open(&mut client, &latin1, &decoded);
    let diagnostics = client.diagnostics_for(&latin1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8"),
        "{diagnostics:?}"
    );
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 0, "character": at})
    );
    assert_eq!(shutdown(client), 0);
}

/// A module opening SSH to its `cidrs`.
const SSH_MODULE: &str = r#"variable "cidrs" {
  type = list(string)
}

resource "aws_security_group" "this" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = var.cidrs
  }
}
"#;

fn module_call(source: &str) -> String {
    format!("module \"sg\" {{\n  source = \"{source}\"\n  cidrs  = [\"0.0.0.0/0\"]\n}}\n")
}

/// The one diagnostic of a module call: at the call's argument, naming the module file.
fn assert_shown_at_the_argument(diagnostics: &[Value], module_file: &str) {
    assert_eq!(
        summary(diagnostics),
        [("SG002".to_owned(), range((2, 12), (2, 23)))],
        "{diagnostics:#?}"
    );
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(message.contains("(in module code, "), "{message}");
    assert!(message.contains(module_file), "{message}");
    let related = &diagnostics[0]["relatedInformation"][0];
    assert!(
        related["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(module_file),
        "{related}"
    );
}

#[test]
fn module_code_is_shown_at_the_call_argument_also_when_downloaded() {
    // A local module in a directory of its own.
    let dir = TempDir::new("module-code");
    std::fs::create_dir_all(dir.path().join("modules/sg")).unwrap();
    dir.write("modules/sg/main.tf", SSH_MODULE);
    let call = module_call("./modules/sg");
    let main = dir.write("main.tf", &call);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, &call);
    assert_shown_at_the_argument(&client.diagnostics_for(&main), "modules/sg/main.tf");
    assert_eq!(shutdown(client), 0);

    // A module downloaded because the configuration asks for it, into a cache outside.
    let server = module_sources::Server::start(vec![(
        "/sg.tar.gz",
        module_sources::ok(module_sources::tar_gz(&[(
            "main.tf",
            SSH_MODULE.as_bytes(),
        )])),
    )]);
    let cache = TempDir::new("module-cache");
    let dir = TempDir::new("downloaded");
    dir.write(
        "portcullis.toml",
        &format!(
            "[terraform]\ndownload-modules = true\nmodule-cache = \"{}\"\n",
            cache.path().display()
        ),
    );
    let call = module_call(&server.url("/sg.tar.gz"));
    let main = dir.write("main.tf", &call);
    let mut client = Client::spawn();
    client.initialize(dir.path(), json!({}), json!({}));
    open(&mut client, &main, &call);
    assert_shown_at_the_argument(&client.diagnostics_for(&main), "package/main.tf");
    assert_eq!(server.count(), 1);
    assert_eq!(shutdown(client), 0);
}
