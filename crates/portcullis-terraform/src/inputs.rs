//! The values of a root module's variables: defaults, tfvars files, `--var-file` and `--var`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use portcullis_ir::{Problem, SourceFile, SourceMap};

use crate::eval::{Ctx, Env, Frame, VarValue, World, typed, variable_default};
use crate::module::Module;
use crate::options::Options;
use crate::paths::display;
use crate::syntax::{self, Expr, ParsedFile, Src};
use crate::value::V;

/// `--var-file` and `--var` inputs, read and parsed once for every root.
pub struct Inputs {
    var_files: Vec<Arc<ParsedFile>>,
    pub problems: Vec<Problem>,
    /// The `--var` values as one synthetic file, `NAME=VALUE` per line.
    cli: Option<Arc<SourceFile>>,
    /// Name, byte range of the value in `cli`.
    cli_vars: Vec<(String, std::ops::Range<usize>)>,
}

impl Inputs {
    pub fn new(sources: &SourceMap, options: &Options) -> Self {
        let mut var_files = Vec::new();
        let mut problems = Vec::new();
        for path in &options.var_files {
            let Ok(text) = std::fs::read_to_string(path) else {
                let file = sources.add(display(path), "");
                problems.push(Problem {
                    span: file.span(0, 0),
                    message: format!("cannot read the variable file {}", path.display()),
                });
                continue;
            };
            let file = sources.add(display(path), text);
            match syntax::parse(&file) {
                Ok(parsed) => var_files.push(Arc::new(parsed)),
                Err(problem) => problems.push(problem),
            }
        }
        let mut text = String::new();
        let mut cli_vars = Vec::new();
        for (name, value) in &options.vars {
            text.push_str(name);
            text.push('=');
            let start = text.len();
            text.push_str(value);
            cli_vars.push((name.clone(), start..text.len()));
            text.push('\n');
        }
        let cli = (!options.vars.is_empty()).then(|| sources.add("<command line --var>", text));
        Self {
            var_files,
            problems,
            cli,
            cli_vars,
        }
    }

    /// Root variables with Terraform's precedence: default, terraform.tfvars,
    /// terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, --var-file, --var.
    pub fn root_vars<'a>(
        &self,
        env: &'a Env,
        world: &'a World<'a>,
        module: &'a Module<'a>,
        root: &Path,
        root_files: &[Arc<ParsedFile>],
    ) -> BTreeMap<String, VarValue> {
        let bootstrap = Ctx::new(env, world, module, root.to_path_buf(), BTreeMap::new());
        let mut vars: BTreeMap<String, VarValue> = module
            .variables
            .iter()
            .map(|(name, block)| ((*name).to_owned(), variable_default(&bootstrap, block, "")))
            .collect();
        let file_name = |file: &ParsedFile| {
            Path::new(file.path())
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let rank = |name: &str| match name {
            "terraform.tfvars" => Some(0),
            "terraform.tfvars.json" => Some(1),
            name if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => {
                Some(2)
            }
            _ => None,
        };
        let mut automatic: Vec<(usize, String, &Arc<ParsedFile>)> = root_files
            .iter()
            .filter_map(|file| {
                let name = file_name(file);
                rank(&name).map(|rank| (rank, name, file))
            })
            .collect();
        automatic.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let tfvars = automatic
            .into_iter()
            .map(|(_, name, file)| (name, file))
            .chain(
                self.var_files
                    .iter()
                    .map(|file| (file.path().to_owned(), file)),
            );
        for (name, file) in tfvars {
            let Some(body) = file.body() else { continue };
            for attr in body.attrs() {
                if vars.contains_key(attr.name) {
                    let value = bootstrap.eval(attr.expr, &Frame::default());
                    vars.insert(attr.name.to_owned(), (value, format!(" in {name}")));
                }
            }
        }
        if let Some(cli) = &self.cli {
            let renamed = BTreeMap::new();
            for (name, range) in &self.cli_vars {
                let Some(block) = module.variables.get(name.as_str()) else {
                    continue;
                };
                let text = cli.text.get(range.clone()).unwrap_or_default();
                let span = cli.span(range.start, range.end);
                let is_string = block
                    .body
                    .attr("type")
                    .is_some_and(|attr| matches!(attr.expr, Expr::Hcl(hcl_edit::expr::Expression::Variable(ident), _) if ident.value().as_str() == "string"));
                let parsed = (!is_string)
                    .then(|| portcullis_terraform_core::hcl::parse_expr(text))
                    .flatten();
                let value = match &parsed {
                    Some(expr) => {
                        let src = Src {
                            file: cli.id,
                            shift: range.start,
                            fixed: None,
                            renamed: &renamed,
                        };
                        bootstrap.eval(Expr::Hcl(expr, src), &Frame::default())
                    }
                    None => V::str(text, span),
                };
                vars.insert(name.clone(), (value, " (--var)".to_owned()));
            }
        }
        vars.into_iter()
            .map(|(name, entry)| {
                let entry = match module.variables.get(name.as_str()) {
                    Some(block) => typed(&bootstrap, block, entry),
                    None => entry,
                };
                (name, entry)
            })
            .collect()
    }
}
