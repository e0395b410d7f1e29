//! Throughput of the Terraform front-end (parse, lower and evaluate to IR: `analyze`) in MB/s:
//! on a generated multi-file root module, on a generated 2,000-line file, on the fixtures, on
//! the real-world corpus in `../shared/corpus/realworld` and, when `PORTCULLIS_BENCH_CORPUS`
//! names a directory (a corpus of `gen_corpus.py`), on its Terraform files. Inputs that are
//! absent are skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use portcullis_ir::{SourceFile, SourceMap};
use portcullis_terraform::{Options, analyze, is_terraform_file};

/// Files of one benchmark input: path and text.
type Files = Vec<(String, Arc<str>)>;

const SERVICES: [(&str, &str, u16, u16); 8] = [
    ("ssh", "tcp", 22, 22),
    ("https", "tcp", 443, 443),
    ("postgres", "tcp", 5432, 5432),
    ("rdp", "tcp", 3389, 3389),
    ("all", "-1", 0, 0),
    ("dns", "udp", 53, 53),
    ("apps", "tcp", 3000, 3999),
    ("redis", "tcp", 6379, 6379),
];

/// A root module of `groups` security groups spread over main.tf, security.tf, variables.tf and
/// terraform.tfvars, using every rule construct: inline blocks, `aws_security_group_rule`,
/// `aws_vpc_security_group_ingress_rule`, `dynamic` blocks over a local, variables with defaults
/// overridden by tfvars, `concat()`, and instances and databases that use the groups.
fn generated_module(groups: usize) -> Files {
    let dir = "generated";
    let (mut main, mut security, mut variables, mut tfvars) =
        (String::new(), String::new(), String::new(), String::new());
    writeln!(
        main,
        "locals {{\n  office_cidrs = [\"203.0.113.10/32\", \"198.51.100.7/32\"]\n  public_ports = [\n    {{ port = 443, cidr = \"0.0.0.0/0\" }},\n    {{ port = 80, cidr = \"0.0.0.0/0\" }},\n  ]\n}}\n"
    )
    .unwrap();
    for index in 0..groups {
        let (name, protocol, from, to) = SERVICES[index % SERVICES.len()];
        let cidr = if index % 5 == 0 {
            "\"0.0.0.0/0\""
        } else {
            "\"10.0.0.0/8\""
        };
        writeln!(
            variables,
            "variable \"allowed_{name}_{index}\" {{\n  description = \"Who may reach {name} on group {index}\"\n  type        = list(string)\n  default     = [\"10.20.0.0/16\"]\n}}\n"
        )
        .unwrap();
        if index % 3 == 0 {
            writeln!(tfvars, "allowed_{name}_{index} = [\"0.0.0.0/0\"]").unwrap();
        }
        writeln!(
            security,
            "resource \"aws_security_group\" \"sg_{index}\" {{\n  name        = \"sg-{index}\"\n  description = \"Security group {index}\"\n  vpc_id      = aws_vpc.main.id\n\n  ingress {{\n    description = \"{name}\"\n    from_port   = {from}\n    to_port     = {to}\n    protocol    = \"{protocol}\"\n    cidr_blocks = concat(var.allowed_{name}_{index}, local.office_cidrs)\n  }}\n\n  dynamic \"ingress\" {{\n    for_each = local.public_ports\n    content {{\n      from_port   = ingress.value.port\n      to_port     = ingress.value.port\n      protocol    = \"tcp\"\n      cidr_blocks = [ingress.value.cidr]\n    }}\n  }}\n\n  egress {{\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n\n  tags = {{\n    Name = \"sg-{index}\"\n  }}\n}}\n\nresource \"aws_security_group_rule\" \"extra_{index}\" {{\n  type              = \"ingress\"\n  security_group_id = aws_security_group.sg_{index}.id\n  from_port         = {from}\n  to_port           = {to}\n  protocol          = \"{protocol}\"\n  cidr_blocks       = [{cidr}]\n}}\n\nresource \"aws_vpc_security_group_ingress_rule\" \"v6_{index}\" {{\n  security_group_id = aws_security_group.sg_{index}.id\n  cidr_ipv6         = \"::/0\"\n  from_port         = 443\n  to_port           = 443\n  ip_protocol       = \"tcp\"\n}}\n"
        )
        .unwrap();
        writeln!(
            main,
            "resource \"aws_instance\" \"host_{index}\" {{\n  ami                         = \"ami-0123456789abcdef0\"\n  instance_type               = \"t3.micro\"\n  subnet_id                   = aws_subnet.public.id\n  associate_public_ip_address = {public}\n  vpc_security_group_ids      = [aws_security_group.sg_{index}.id]\n}}\n",
            public = index % 2 == 0
        )
        .unwrap();
    }
    writeln!(
        main,
        "resource \"aws_vpc\" \"main\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\nresource \"aws_subnet\" \"public\" {{\n  vpc_id                  = aws_vpc.main.id\n  cidr_block              = \"10.0.1.0/24\"\n  map_public_ip_on_launch = true\n}}\n\nresource \"aws_internet_gateway\" \"gw\" {{\n  vpc_id = aws_vpc.main.id\n}}"
    )
    .unwrap();
    [
        ("main.tf", main),
        ("security.tf", security),
        ("variables.tf", variables),
        ("terraform.tfvars", tfvars),
    ]
    .into_iter()
    .map(|(name, text)| (format!("{dir}/{name}"), Arc::from(text)))
    .collect()
}

/// One `main.tf` of security groups with one ingress rule each, `lines` long (the file the
/// language server and the 2,000-line target of the benchmarks use).
fn generated_file(lines: usize) -> Files {
    let mut text = String::new();
    let mut index = 0;
    while text.lines().count() + 10 <= lines {
        let (port, cidr) = match index % 10 {
            0 => (22, "0.0.0.0/0"),
            1 => (5432, "10.0.0.0/8"),
            _ => (443, "172.16.0.0/12"),
        };
        writeln!(
            text,
            "resource \"aws_security_group\" \"sg{index}\" {{\n  name = \"sg{index}\"\n  ingress {{\n    description = \"rule {index}\"\n    protocol    = \"tcp\"\n    from_port   = {port}\n    to_port     = {port}\n    cidr_blocks = [\"{cidr}\"]\n  }}\n}}"
        )
        .unwrap();
        index += 1;
    }
    while text.lines().count() < lines {
        text.push_str("# padding\n");
    }
    vec![("single/main.tf".to_owned(), Arc::from(text))]
}

/// Every Terraform file under `root` (skipping `.terraform` and `.git`), sorted.
fn files_under(root: &Path) -> Files {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != ".terraform" && name != ".git" {
                    pending.push(path);
                }
            } else if is_terraform_file(&path)
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                found.push((path.to_string_lossy().into_owned(), Arc::from(text)));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bytes(files: &Files) -> u64 {
    files.iter().map(|(_, text)| text.len() as u64).sum()
}

/// A fresh source map holding the files (each iteration analyses into its own map).
fn load(files: &Files) -> (SourceMap, Vec<Arc<SourceFile>>) {
    let sources = SourceMap::new();
    let added = files
        .iter()
        .map(|(path, text)| sources.add(path.clone(), &**text))
        .collect();
    (sources, added)
}

fn bench_input(c: &mut Criterion, name: &str, files: &Files) {
    if files.is_empty() {
        eprintln!("skipping {name}: no input");
        return;
    }
    let options = Options::default();
    let mut group = c.benchmark_group("terraform");
    group.throughput(Throughput::Bytes(bytes(files)));
    if bytes(files) > 4 * 1024 * 1024 {
        group.sample_size(10);
    }
    group.bench_function(name, |b| {
        b.iter_batched(
            || load(files),
            |(sources, added)| {
                let units = analyze(&added, &sources, &options);
                (units, sources)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn terraform(c: &mut Criterion) {
    bench_input(
        c,
        "generated module (40 groups, 4 files)",
        &generated_module(40),
    );
    bench_input(c, "generated 2,000-line main.tf", &generated_file(2_000));
    bench_input(
        c,
        "fixtures/terraform",
        &files_under(&workspace().join("fixtures/terraform")),
    );
    bench_input(
        c,
        "shared/corpus/realworld",
        &files_under(&workspace().join("../shared/corpus/realworld")),
    );
    if let Some(dir) = std::env::var_os("PORTCULLIS_BENCH_CORPUS") {
        bench_input(c, "PORTCULLIS_BENCH_CORPUS", &files_under(Path::new(&dir)));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = terraform
}
criterion_main!(benches);
