//! A plan being converted: its instances by address and id, its module instances, and how
//! references the configuration names resolve to addresses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use portcullis_ir::{Inventory, NamedCidr, SourceFile, Span};
use portcullis_net::Cidr;
use portcullis_terraform_core::manifest::installed_modules;

use super::gather::Instance;
use super::modules::{ModuleInfo, SourceRoot, module_info, references};
use crate::address::{self, join};
use crate::json::{self, Json};

pub struct Plan<'b, 'a> {
    /// The plan text spans point into: the file itself, or its redacted copy.
    pub(super) file: Arc<SourceFile>,
    pub(super) instances: Vec<Instance<'b, 'a>>,
    pub(super) addresses: BTreeSet<String>,
    /// Resource addresses without their instance key, to every instance.
    pub(super) by_base: BTreeMap<String, Vec<String>>,
    pub(super) module_bases: BTreeMap<String, Vec<String>>,
    /// Planned `id` → address, for references the plan already resolved.
    pub(super) ids: BTreeMap<String, String>,
    pub(super) modules: BTreeMap<String, ModuleInfo<'b, 'a>>,
}

impl<'b, 'a> Plan<'b, 'a> {
    pub fn new(
        file: Arc<SourceFile>,
        root: &'b Json<'a>,
        instances: Vec<Instance<'b, 'a>>,
        mut source: SourceRoot<'_, '_>,
    ) -> Self {
        let mut addresses = BTreeSet::new();
        let mut by_base: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut module_bases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut ids = BTreeMap::new();
        // The root module is always there: module arguments resolve in it.
        let mut module_addresses = BTreeSet::from([String::new()]);
        for instance in &instances {
            addresses.insert(instance.address.clone());
            by_base
                .entry(join(
                    &instance.module,
                    &format!("{}.{}", instance.kind, instance.name),
                ))
                .or_default()
                .push(instance.address.clone());
            if let Some(id) = instance.values.get("id").value.and_then(json::as_str) {
                ids.entry(id.to_owned())
                    .or_insert_with(|| instance.address.clone());
            }
            // Every enclosing module instance, so that `module.a` resolves even when only
            // `module.a.module.b` holds resources.
            let steps = address::split(&instance.module);
            let mut prefix = String::new();
            for pair in steps.chunks(2) {
                if let [first, call] = pair {
                    let base = join(&prefix, &format!("{}.{}", first.name, call.name));
                    prefix = format!("{base}{}", call.key);
                    if module_addresses.insert(prefix.clone()) {
                        module_bases.entry(base).or_default().push(prefix.clone());
                    }
                }
            }
            module_addresses.insert(instance.module.clone());
        }
        let config_root =
            json::get(root, "configuration").and_then(|c| json::get(c, "root_module"));
        let installed = source
            .dir
            .as_deref()
            .map(|dir| {
                installed_modules(dir)
                    .into_iter()
                    .map(|(key, installed)| (key, dir.join(installed)))
                    .collect()
            })
            .unwrap_or_default();
        let modules = module_addresses
            .iter()
            .map(|module| {
                let info = module_info(module, config_root, &mut source, &installed);
                (module.clone(), info)
            })
            .collect();
        Self {
            file,
            instances,
            addresses,
            by_base,
            module_bases,
            ids,
            modules,
        }
    }

    pub(super) fn plan_span(&self, range: std::ops::Range<usize>) -> Span {
        self.file.span(range.start, range.end)
    }

    /// Root variables whose planned value is one CIDR, offered by checks as remedies. They
    /// point at their `variable` block when the source is present.
    pub fn named_cidrs(&self, root: &'b Json<'a>, inventory: &mut Inventory) {
        let declared = json::get(root, "configuration")
            .and_then(|config| json::get(config, "root_module"))
            .and_then(|module| json::get(module, "variables"));
        let source = self.modules.get("").and_then(|root| root.source.as_deref());
        for (name, variable) in json::get(root, "variables")
            .map(json::entries)
            .unwrap_or_default()
        {
            let sensitive = declared
                .and_then(|declared| json::get(declared, name))
                .and_then(|declared| json::get(declared, "sensitive"));
            let Some(value) = json::get(variable, "value") else {
                continue;
            };
            if json::is_true(sensitive) {
                continue;
            }
            let Some(cidr) = json::as_str(value).and_then(|text| Cidr::parse(text).ok()) else {
                continue;
            };
            let span = source
                .and_then(|module| module.variables.get(name).copied())
                .unwrap_or_else(|| self.plan_span(json::range(value)));
            inventory.named_cidrs.push(NamedCidr {
                name: name.to_owned(),
                reference: format!("var.{name}"),
                cidr,
                span,
            });
        }
    }

    /// The address a reference names, among resources of `targets`, seen from a module
    /// instance; `own_key` picks the matching instance of a resource with several.
    pub(super) fn resolve(
        &self,
        module: &str,
        reference: &str,
        targets: &[&str],
        own_key: &str,
        depth: usize,
    ) -> Option<String> {
        let steps = address::split(reference);
        let first = steps.first()?;
        if targets.contains(&first.name.as_str()) {
            let target = steps.get(1)?;
            if !target.key.is_empty() || !first.key.is_empty() {
                let exact = join(
                    module,
                    &format!("{}.{}{}", first.name, target.name, target.key),
                );
                return self.addresses.contains(&exact).then_some(exact);
            }
            let base = join(module, &format!("{}.{}", first.name, target.name));
            return self.pick(&base, self.by_base.get(&base), own_key);
        }
        if depth > 16 {
            return None;
        }
        if first.name == "var" {
            return self.resolve_variable(module, &steps.get(1)?.name, targets, depth);
        }
        if first.name != "module" {
            return None;
        }
        let call = steps.get(1)?;
        let output = steps.get(2)?;
        let base = join(module, &format!("module.{}", call.name));
        let child = if call.key.is_empty() {
            self.pick(&base, self.module_bases.get(&base), own_key)?
        } else {
            format!("{base}{}", call.key)
        };
        let config = self.modules.get(&child)?.config?;
        let references = json::get(config, "outputs")
            .and_then(|outputs| json::get(outputs, &output.name))
            .and_then(|output| json::get(output, "expression"))
            .map(references)
            .unwrap_or_default();
        references
            .into_iter()
            .find_map(|reference| self.resolve(&child, reference, targets, "", depth + 1))
    }

    /// `var.name` inside a module instance: the references of the argument its call passes,
    /// resolved in the calling module (the call's key picks among instances there).
    pub(super) fn resolve_variable(
        &self,
        module: &str,
        name: &str,
        targets: &[&str],
        depth: usize,
    ) -> Option<String> {
        let steps = address::split(module);
        let [.., keyword, call] = steps.as_slice() else {
            return None;
        };
        if keyword.name != "module" {
            return None;
        }
        let parent = steps
            .get(..steps.len() - 2)
            .unwrap_or_default()
            .iter()
            .map(|step| format!("{}{}", step.name, step.key))
            .collect::<Vec<_>>()
            .join(".");
        let argument = self.modules.get(&parent)?.config?;
        let references = json::get(argument, "module_calls")
            .and_then(|calls| json::get(calls, &call.name))
            .and_then(|call| json::get(call, "expressions"))
            .and_then(|expressions| json::get(expressions, name))
            .map(references)
            .unwrap_or_default();
        references
            .into_iter()
            .find_map(|reference| self.resolve(&parent, reference, targets, &call.key, depth + 1))
    }

    pub(super) fn pick(
        &self,
        base: &str,
        candidates: Option<&Vec<String>>,
        own_key: &str,
    ) -> Option<String> {
        match candidates.map(Vec::as_slice) {
            Some([only]) => Some(only.clone()),
            Some(many) => {
                let keyed = format!("{base}{own_key}");
                (!own_key.is_empty() && many.contains(&keyed)).then_some(keyed)
            }
            None => None,
        }
    }
}
