//! Planned resource instances to the IR. Values come from the plan; spans come from the `.tf`
//! source when it is present (with the plan location as a `via` trace), else from the plan.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_ir::{
    Attachment, Direction, Inventory, NaclAction, NaclAssociation, NaclEntry, NamedCidr,
    NetworkAcl, Peer, Reachability, SecurityGroup, SgRule, SourceFile, Span, Subnet, Trace,
    Unresolved, Value, Vpc,
};
use portcullis_net::{Cidr, Protocol};
use portcullis_terraform_core::manifest::{installed_modules, is_local_source};
use portcullis_terraform_core::schema::{
    ACL_TYPES, AttachmentSpec, CIDR_ATTRS, CIDR_LIST_ATTRS, CLUSTER_TYPES, ENI_TYPES, GROUP_ATTRS,
    GROUP_TYPES, Links, NACL_CIDR_ATTRS, PREFIX_ATTRS, Reach, SUBNET_TYPES, VPC_TYPES,
    attachment_spec,
};

use crate::address::{self, join};
use crate::json::{self, Json, Planned, State};
use crate::source::{Loader, SrcBlock, SrcExpr, SrcModule};

pub const UNKNOWN_AFTER_APPLY: &str = "known after apply";
pub const SENSITIVE: &str = "the value is sensitive in the plan";
/// The note of the trace at the plan location; the trace's span names the plan file.
const PLANNED: &str = "planned value";

/// One planned managed resource instance.
pub struct Instance<'b, 'a> {
    pub address: String,
    /// The module instance address (`module.sg["web"]`), empty in the root module.
    module: String,
    kind: String,
    name: String,
    /// The instance key as written in the address (`[0]`, `["web"]`), or empty.
    key: String,
    values: Planned<'b, 'a>,
    /// The resource object in the plan, for plan spans.
    node: &'b Json<'a>,
}

/// Where a module instance's configuration and source live.
struct ModuleInfo<'b, 'a> {
    config: Option<&'b Json<'a>>,
    /// The managed resources of `config` by type and name.
    resources: BTreeMap<(&'b str, &'b str), &'b Json<'a>>,
    source: Option<Arc<SrcModule>>,
}

pub struct Plan<'b, 'a> {
    /// The plan text spans point into: the file itself, or its redacted copy.
    file: Arc<SourceFile>,
    instances: Vec<Instance<'b, 'a>>,
    addresses: BTreeSet<String>,
    /// Resource addresses without their instance key, to every instance.
    by_base: BTreeMap<String, Vec<String>>,
    module_bases: BTreeMap<String, Vec<String>>,
    /// Planned `id` → address, for references the plan already resolved.
    ids: BTreeMap<String, String>,
    modules: BTreeMap<String, ModuleInfo<'b, 'a>>,
}

/// The managed resources of `planned_values` (or, without it, of `resource_changes`), minus
/// those being deleted.
pub fn gather<'b, 'a>(root: &'b Json<'a>) -> Vec<Instance<'b, 'a>> {
    // A deposed object (create_before_destroy) shares the address of its replacement; its
    // deletion says nothing about the resource that stays.
    let current: Vec<&'b Json<'a>> = json::get(root, "resource_changes")
        .map(json::items)
        .unwrap_or_default()
        .iter()
        .filter(|change| {
            json::str_at(change, "mode").is_none_or(|mode| mode == "managed")
                && json::get(change, "deposed").is_none()
        })
        .collect();
    let changes: BTreeMap<&str, &'b Json<'a>> = current
        .iter()
        .filter_map(|resource| {
            Some((
                json::str_at(resource, "address")?,
                json::get(resource, "change")?,
            ))
        })
        .collect();
    let deleted = |address: &str| {
        changes.get(address).is_some_and(|change| {
            let actions: Vec<&str> = json::get(change, "actions")
                .map(json::items)
                .unwrap_or_default()
                .iter()
                .filter_map(json::as_str)
                .collect();
            actions == ["delete"]
        })
    };
    let mut out = Vec::new();
    if let Some(module) =
        json::get(root, "planned_values").and_then(|p| json::get(p, "root_module"))
    {
        walk_module(module, "", &changes, &mut out);
    } else {
        for resource in current {
            let Some(change) = json::get(resource, "change") else {
                continue;
            };
            let Some(after) =
                json::get(change, "after").filter(|after| !matches!(after, Json::NullKeyword(_)))
            else {
                continue;
            };
            let module = json::str_at(resource, "module_address").unwrap_or("");
            let values = Planned::new(
                after,
                json::get(change, "after_unknown"),
                json::get(change, "after_sensitive"),
            );
            if let Some(instance) = instance(resource, module, values) {
                out.push(instance);
            }
        }
    }
    out.retain(|instance| !deleted(&instance.address));
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out.dedup_by(|a, b| a.address == b.address);
    out
}

fn walk_module<'b, 'a>(
    module: &'b Json<'a>,
    address: &str,
    changes: &BTreeMap<&str, &'b Json<'a>>,
    out: &mut Vec<Instance<'b, 'a>>,
) {
    for resource in json::get(module, "resources")
        .map(json::items)
        .unwrap_or_default()
    {
        if json::str_at(resource, "mode").is_some_and(|mode| mode != "managed") {
            continue;
        }
        let Some(values) = json::get(resource, "values") else {
            continue;
        };
        let change = json::str_at(resource, "address").and_then(|address| changes.get(address));
        let unknown = change.and_then(|change| json::get(change, "after_unknown"));
        let sensitive = json::get(resource, "sensitive_values")
            .or_else(|| change.and_then(|change| json::get(change, "after_sensitive")));
        if let Some(instance) =
            instance(resource, address, Planned::new(values, unknown, sensitive))
        {
            out.push(instance);
        }
    }
    for child in json::get(module, "child_modules")
        .map(json::items)
        .unwrap_or_default()
    {
        let child_address = json::str_at(child, "address").unwrap_or(address);
        walk_module(child, child_address, changes, out);
    }
}

fn instance<'b, 'a>(
    resource: &'b Json<'a>,
    module: &str,
    values: Planned<'b, 'a>,
) -> Option<Instance<'b, 'a>> {
    let address = json::str_at(resource, "address")?;
    let kind = json::str_at(resource, "type")?;
    let name = json::str_at(resource, "name")?;
    let base = join(module, &format!("{kind}.{name}"));
    let key = address.strip_prefix(&base).unwrap_or("").to_owned();
    Some(Instance {
        address: address.to_owned(),
        module: module.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        key,
        values,
        node: resource,
    })
}

/// Where to look for the configuration and how to reach module sources.
pub struct SourceRoot<'l, 's> {
    pub loader: &'l mut Loader<'s>,
    pub dir: Option<PathBuf>,
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

    fn plan_span(&self, range: std::ops::Range<usize>) -> Span {
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

    pub fn extract(&self, inventory: &mut Inventory) {
        let mut links = Links::default();
        for instance in &self.instances {
            let info = self.modules.get(&instance.module);
            let config = info.and_then(|info| {
                info.resources
                    .get(&(instance.kind.as_str(), instance.name.as_str()))
                    .copied()
            });
            let src = info
                .and_then(|info| info.source.as_deref())
                .and_then(|module| {
                    module
                        .resources
                        .get(&(instance.kind.clone(), instance.name.clone()))
                });
            let res = Res {
                plan: self,
                instance,
                src,
                config,
            };
            res.record_link(&mut links);
            res.extract(inventory);
        }
        links.apply(inventory);
    }

    /// The address a reference names, among resources of `targets`, seen from a module
    /// instance; `own_key` picks the matching instance of a resource with several.
    fn resolve(
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
    fn resolve_variable(
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

    fn pick(&self, base: &str, candidates: Option<&Vec<String>>, own_key: &str) -> Option<String> {
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

fn module_info<'b, 'a>(
    module: &str,
    config_root: Option<&'b Json<'a>>,
    source: &mut SourceRoot<'_, '_>,
    installed: &BTreeMap<String, PathBuf>,
) -> ModuleInfo<'b, 'a> {
    let mut config = config_root;
    let mut dir = source.dir.clone();
    let mut key = String::new();
    for name in address::module_names(module) {
        let call = config
            .and_then(|config| json::get(config, "module_calls"))
            .and_then(|calls| json::get(calls, &name));
        key = if key.is_empty() {
            name.clone()
        } else {
            format!("{key}.{name}")
        };
        let call_source = call.and_then(|call| json::str_at(call, "source"));
        dir = match (dir, call_source) {
            (Some(dir), Some(call_source)) if is_local_source(call_source) => {
                Some(dir.join(call_source))
            }
            _ => installed.get(&key).cloned(),
        };
        config = call.and_then(|call| json::get(call, "module"));
    }
    let resources = config
        .and_then(|config| json::get(config, "resources"))
        .map(json::items)
        .unwrap_or_default()
        .iter()
        .filter(|resource| json::str_at(resource, "mode") != Some("data"))
        .filter_map(|resource| {
            let kind = json::str_at(resource, "type")?;
            let name = json::str_at(resource, "name")?;
            Some(((kind, name), resource))
        })
        .collect();
    ModuleInfo {
        config,
        resources,
        source: dir.map(|dir| source.loader.module(&dir)),
    }
}

/// Whether a directory holds the configuration of the plan's root module: it declares one of
/// the root's resources or module calls.
pub fn declares_root(module: &SrcModule, root: &Json<'_>, instances: &[Instance<'_, '_>]) -> bool {
    let config = json::get(root, "configuration").and_then(|c| json::get(c, "root_module"));
    let Some(config) = config else {
        return instances.iter().any(|instance| {
            instance.module.is_empty()
                && module
                    .resources
                    .contains_key(&(instance.kind.clone(), instance.name.clone()))
        });
    };
    let resources = json::get(config, "resources")
        .map(json::items)
        .unwrap_or_default();
    resources.iter().any(|resource| {
        matches!(
            (json::str_at(resource, "type"), json::str_at(resource, "name")),
            (Some(kind), Some(name)) if module.resources.contains_key(&(kind.to_owned(), name.to_owned()))
        )
    }) || json::get(config, "module_calls")
        .map(json::entries)
        .unwrap_or_default()
        .iter()
        .any(|(name, _)| module.calls.contains(*name))
}

/// The `references` of a configuration expression.
fn references<'b>(expression: &'b Json<'_>) -> Vec<&'b str> {
    json::get(expression, "references")
        .map(json::items)
        .unwrap_or_default()
        .iter()
        .filter_map(json::as_str)
        .collect()
}

/// Whether a candidate source directory exists (the empty path is the current directory).
pub fn is_dir(path: &Path) -> bool {
    path.as_os_str().is_empty() || path.is_dir()
}

/// One resource instance being converted.
struct Res<'p, 'b, 'a> {
    plan: &'p Plan<'b, 'a>,
    instance: &'p Instance<'b, 'a>,
    src: Option<&'p SrcBlock>,
    config: Option<&'b Json<'a>>,
}

/// The attributes of a resource or of a nested block: planned values, the source block and
/// the configuration expressions at the same place.
#[derive(Clone, Copy)]
struct Fields<'r, 'p, 'b, 'a> {
    res: &'r Res<'p, 'b, 'a>,
    planned: Planned<'b, 'a>,
    src: Option<&'p SrcBlock>,
    config: Option<&'b Json<'a>>,
    /// Whether the configuration of this block is known, so that an attribute it does not
    /// write is a provider default rather than a missing reference.
    configured: bool,
    /// Where values point when the source has no block for them (an element of
    /// `ingress = [{...}]`, say) but the resource is in the source.
    fallback: Option<Span>,
}

#[derive(Clone, Copy)]
struct Attr<'r, 'p, 'b, 'a> {
    fields: Fields<'r, 'p, 'b, 'a>,
    planned: Planned<'b, 'a>,
    src: Option<&'p SrcExpr>,
    config: Option<&'b Json<'a>>,
}

impl<'r, 'p, 'b, 'a> Fields<'r, 'p, 'b, 'a> {
    fn attr(self, name: &str) -> Attr<'r, 'p, 'b, 'a> {
        let config = self.config.and_then(|config| json::get(config, name));
        let mut planned = self.planned.get(name);
        // An unknown the configuration does not write is computed by the provider (a rule's
        // `source_security_group_id` beside its `cidr_blocks`): the attribute is not set.
        if self.configured && config.is_none() && matches!(planned.state(), State::Unknown) {
            planned = planned.unset();
        }
        Attr {
            fields: self,
            planned,
            src: self.src.and_then(|block| block.attrs.get(name)),
            config,
        }
    }

    /// The first attribute of `names` that is set (or unknown).
    fn first(self, names: &[&str]) -> Option<Attr<'r, 'p, 'b, 'a>> {
        names
            .iter()
            .map(|name| self.attr(name))
            .find(|attr| !matches!(attr.planned.state(), State::Unset))
    }

    /// Nested blocks (planned as a list of objects), paired with the source blocks and the
    /// configuration expressions of the same name, in order.
    fn nested(self, name: &str) -> Vec<Self> {
        let planned = self.planned.get(name);
        let items = match planned.value {
            Some(Json::Object(_)) => vec![planned],
            _ => planned.items(),
        };
        let src: Vec<&SrcBlock> = self.src.map(|block| block.nested(name)).unwrap_or_default();
        let config = self.config.and_then(|config| json::get(config, name));
        items
            .into_iter()
            .enumerate()
            .map(|(index, planned)| Self {
                res: self.res,
                planned,
                // The block of the same rank, or the only one (a dynamic block).
                src: src
                    .get(index)
                    .or_else(|| src.first().filter(|_| src.len() == 1))
                    .copied(),
                config: config.and_then(|config| match config {
                    Json::Array(_) => json::items(config).get(index),
                    _ => Some(config),
                }),
                configured: self.configured && config.is_some(),
                fallback: self.source_span(),
            })
            .collect()
    }

    /// An attribute path such as `vpc_config.security_group_ids`, over every nested block.
    fn path(self, path: &str) -> Vec<Attr<'r, 'p, 'b, 'a>> {
        match path.split_once('.') {
            None => vec![self.attr(path)],
            Some((outer, rest)) => self
                .nested(outer)
                .into_iter()
                .flat_map(|inner| inner.path(rest))
                .collect(),
        }
    }

    /// The span of the block in the source, if it is there.
    fn source_span(self) -> Option<Span> {
        self.src.map(|block| block.span).or(self.fallback)
    }

    /// The span of the block itself, for values it does not write.
    fn span(self) -> Span {
        self.source_span()
            .unwrap_or_else(|| self.res.plan.plan_span(self.planned.range()))
    }
}

impl<'b> Attr<'_, '_, 'b, '_> {
    fn is_set(self) -> bool {
        !matches!(self.planned.state(), State::Unset)
    }

    /// The span a value points at, and the plan location as a trace when that is in `.tf`.
    fn locate(
        self,
        planned: Planned<'_, '_>,
        element: Option<(usize, usize)>,
    ) -> (Span, Vec<Trace>) {
        let plan = self.fields.res.plan;
        let plan_span = plan.plan_span(planned.range());
        let source_span = match self.src {
            Some(expr) => Some(expr.element(element)),
            None => self.fields.source_span(),
        };
        match source_span {
            Some(span) => (span, vec![Trace::new(plan_span, PLANNED.to_owned())]),
            None => (plan_span, Vec::new()),
        }
    }

    fn make<T>(
        self,
        planned: Planned<'_, '_>,
        element: Option<(usize, usize)>,
        parse: &impl Fn(&Json<'_>) -> Result<T, String>,
    ) -> Option<Value<T>> {
        let (span, via) = self.locate(planned, element);
        let value = match planned.state() {
            State::Unset => return None,
            State::Unknown => Value::unknown(UNKNOWN_AFTER_APPLY, span),
            State::Sensitive => Value::unknown(SENSITIVE, span),
            State::Present(json) => match parse(json) {
                Ok(value) => Value::known(value, span),
                Err(reason) => Value::unknown(reason, span),
            },
        };
        Some(value.with_via(via))
    }

    /// The value when the plan does not know it (after apply, or sensitive): a whole set of
    /// inline statements, say.
    fn unknown<T>(self) -> Option<Value<T>> {
        match self.planned.state() {
            State::Unknown | State::Sensitive => {
                self.make(self.planned, None, &|_: &Json<'_>| Err(String::new()))
            }
            State::Unset | State::Present(_) => None,
        }
    }

    fn value<T>(self, parse: impl Fn(&Json<'_>) -> Result<T, String>) -> Option<Value<T>> {
        self.make(self.planned, None, &parse)
    }

    /// The elements of a list attribute (a scalar counts as one); a whole unknown or
    /// sensitive list is one unknown element.
    fn values<T>(self, parse: impl Fn(&Json<'_>) -> Result<T, String>) -> Vec<Value<T>> {
        match self.planned.state() {
            State::Present(Json::Array(_)) => {
                let items = self.planned.items();
                let len = items.len();
                items
                    .into_iter()
                    .enumerate()
                    .filter_map(|(index, item)| self.make(item, Some((index, len)), &parse))
                    .collect()
            }
            _ => self.make(self.planned, None, &parse).into_iter().collect(),
        }
    }

    /// The references the configuration names for this attribute.
    fn references(self) -> Vec<&'b str> {
        self.config.map(references).unwrap_or_default()
    }

    /// Values that name other resources (a rule's group, an instance's groups, a subnet's
    /// VPC): a planned id of a resource in the plan becomes its address; a value known only
    /// after apply becomes the address its configuration references, when that is one
    /// resource of `targets`.
    fn link(self, targets: &[&str]) -> Vec<Value<String>> {
        let res = self.fields.res;
        let plan = res.plan;
        let mut values = self.values(json::to_text);
        let mut linked = BTreeSet::new();
        for value in &mut values {
            if let Value::Known { value: id, .. } = value
                && let Some(address) = plan.ids.get(id.as_str())
            {
                linked.insert(address.clone());
                id.clone_from(address);
            }
        }
        let mut resolved: Vec<String> = Vec::new();
        for reference in self.references() {
            if let Some(address) = plan.resolve(
                &res.instance.module,
                reference,
                targets,
                &res.instance.key,
                0,
            ) && !linked.contains(&address)
                && !resolved.contains(&address)
            {
                resolved.push(address);
            }
        }
        let unknown: Vec<usize> = values
            .iter()
            .enumerate()
            .filter(|(_, value)| value.unknown_reason() == Some(UNKNOWN_AFTER_APPLY))
            .map(|(index, _)| index)
            .collect();
        let whole = matches!(self.planned.state(), State::Unknown);
        if resolved.is_empty() || !(whole || unknown.len() == resolved.len()) {
            return values;
        }
        if whole {
            let (span, via) = self.locate(self.planned, None);
            return resolved
                .into_iter()
                .map(|address| Value::known(address, span).with_via(via.clone()))
                .collect();
        }
        for (index, address) in unknown.into_iter().zip(resolved) {
            if let Some(value) = values.get_mut(index) {
                let (span, via) = (value.span(), value.via().to_vec());
                *value = Value::known(address, span).with_via(via);
            }
        }
        values
    }

    /// One linked value, or an unknown at the block when the attribute is not set.
    fn link_one(self, targets: &[&str], name: &str) -> Value<String> {
        self.link(targets)
            .into_iter()
            .next()
            .unwrap_or_else(|| Value::unknown(format!("{name} is not set"), self.fields.span()))
    }
}

fn protocol(value: &Json<'_>) -> Result<Protocol, String> {
    portcullis_terraform_core::schema::protocol(&json::to_text(value)?)
}

fn cidr(value: &Json<'_>) -> Result<Cidr, String> {
    portcullis_terraform_core::schema::cidr(&json::to_text(value)?)
}

fn peers(fields: Fields<'_, '_, '_, '_>) -> Vec<Peer> {
    let mut out = Vec::new();
    for name in CIDR_LIST_ATTRS.iter().chain(CIDR_ATTRS) {
        out.extend(fields.attr(name).values(cidr).into_iter().map(Peer::Cidr));
    }
    for name in GROUP_ATTRS {
        out.extend(
            fields
                .attr(name)
                .link(GROUP_TYPES)
                .into_iter()
                .map(Peer::SecurityGroup),
        );
    }
    for name in PREFIX_ATTRS {
        out.extend(
            fields
                .attr(name)
                .values(json::to_text)
                .into_iter()
                .map(Peer::PrefixList),
        );
    }
    if let Some(value) = fields.attr("self").value(json::to_bool) {
        match value {
            Value::Known {
                value: true, span, ..
            } => out.push(Peer::SelfGroup(span)),
            Value::Known { .. } => {}
            Value::Unknown { reason, span, via } => out.push(Peer::SecurityGroup(
                Value::unknown(format!("whether self applies is unknown: {reason}"), span)
                    .with_via(via),
            )),
        }
    }
    out
}

struct RuleSite {
    id: String,
    group: Value<String>,
    direction: Direction,
    span: Span,
}

impl<'p, 'b, 'a> Res<'p, 'b, 'a> {
    fn fields(&self) -> Fields<'_, 'p, 'b, 'a> {
        Fields {
            res: self,
            planned: self.instance.values,
            src: self.src,
            config: self
                .config
                .and_then(|config| json::get(config, "expressions")),
            configured: self.config.is_some(),
            fallback: None,
        }
    }

    fn span(&self) -> Span {
        self.src.map_or_else(
            || self.plan.plan_span(json::range(self.instance.node)),
            |block| block.span,
        )
    }

    fn name_span(&self) -> Span {
        self.src.map_or_else(
            || {
                let node = json::get(self.instance.node, "address").unwrap_or(self.instance.node);
                self.plan.plan_span(json::range(node))
            },
            |block| block.labels,
        )
    }

    fn own_id(&self) -> Value<String> {
        Value::known(self.instance.address.clone(), self.name_span())
    }

    fn address(&self) -> String {
        self.instance.address.clone()
    }

    /// Records an Elastic IP's network interface or an Aurora instance's cluster.
    fn record_link(&self, links: &mut Links) {
        let fields = self.fields();
        let target =
            |name: &str, targets: &[&str]| fields.attr(name).link(targets).into_iter().next();
        match self.instance.kind.as_str() {
            "aws_eip" => links
                .eip_targets
                .extend(target("network_interface", ENI_TYPES)),
            "aws_eip_association" => links
                .eip_targets
                .extend(target("network_interface_id", ENI_TYPES)),
            "aws_rds_cluster_instance" => links.cluster_members.push((
                self.address(),
                fields
                    .attr("cluster_identifier")
                    .link_one(CLUSTER_TYPES, "cluster_identifier"),
            )),
            _ => {}
        }
    }

    fn extract(&self, inventory: &mut Inventory) {
        let fields = self.fields();
        let kind = self.instance.kind.as_str();
        match kind {
            "aws_security_group" | "aws_default_security_group" => {
                self.security_group(inventory);
            }
            "aws_security_group_rule" => {
                let direction = match fields.attr("type").value(json::to_text) {
                    Some(Value::Known { value, .. }) if value == "egress" => Direction::Egress,
                    Some(Value::Known { value, .. }) if value == "ingress" => Direction::Ingress,
                    other => {
                        let reason = match other {
                            Some(Value::Unknown { reason, .. }) => {
                                format!("the rule type is unknown: {reason}")
                            }
                            _ => "the rule type is neither ingress nor egress".to_owned(),
                        };
                        inventory.unresolved.push(Unresolved {
                            subject: self.address(),
                            reason,
                            span: self.span(),
                        });
                        return;
                    }
                };
                self.standalone_rule(direction, inventory);
            }
            "aws_vpc_security_group_ingress_rule" => {
                self.standalone_rule(Direction::Ingress, inventory);
            }
            "aws_vpc_security_group_egress_rule" => {
                self.standalone_rule(Direction::Egress, inventory);
            }
            "aws_network_acl" | "aws_default_network_acl" => self.network_acl(inventory),
            "aws_network_acl_rule" => {
                let egress = fields.attr("egress").value(json::to_bool);
                let direction = match egress {
                    Some(Value::Known { value: true, .. }) => Direction::Egress,
                    _ => Direction::Ingress,
                };
                let acl = fields
                    .attr("network_acl_id")
                    .link_one(ACL_TYPES, "network_acl_id");
                let entry = nacl_entry(fields, self.address(), acl, direction, self.span());
                inventory.nacl_entries.push(entry);
            }
            "aws_network_acl_association" => inventory.nacl_associations.push(NaclAssociation {
                acl: fields
                    .attr("network_acl_id")
                    .link_one(ACL_TYPES, "network_acl_id"),
                subnet: fields.attr("subnet_id").link_one(SUBNET_TYPES, "subnet_id"),
                span: self.span(),
            }),
            "aws_vpc" => inventory.vpcs.push(Vpc {
                id: self.address(),
                cidr: fields.attr("cidr_block").value(cidr),
                span: self.span(),
            }),
            "aws_subnet" => inventory.subnets.push(Subnet {
                id: self.address(),
                vpc: fields.attr("vpc_id").link(VPC_TYPES).into_iter().next(),
                cidr: fields.attr("cidr_block").value(cidr),
                map_public_ip_on_launch: fields
                    .attr("map_public_ip_on_launch")
                    .value(json::to_bool),
                routes_to_internet: None,
                span: self.span(),
            }),
            _ => {
                if let Some(spec) = attachment_spec(kind) {
                    inventory.attachments.push(self.attachment(&spec));
                }
            }
        }
    }

    fn security_group(&self, inventory: &mut Inventory) {
        let fields = self.fields();
        let name = fields.attr("name").value(json::to_text);
        let named_default = name
            .as_ref()
            .and_then(Value::known_value)
            .is_some_and(|name| name == "default");
        inventory.security_groups.push(SecurityGroup {
            id: self.address(),
            name,
            description: fields.attr("description").value(json::to_text),
            vpc: fields.attr("vpc_id").link(VPC_TYPES).into_iter().next(),
            is_default: self.instance.kind == "aws_default_security_group" || named_default,
            span: self.span(),
            name_span: self.name_span(),
            construct_path: None,
            assumptions: Vec::new(),
        });
        for direction in [Direction::Ingress, Direction::Egress] {
            if let Some(unknown) = fields.attr(direction.as_str()).unknown::<Cidr>() {
                inventory.rules.push(SgRule {
                    id: format!("{}.{}[0]", self.address(), direction.as_str()),
                    resource: self.address(),
                    group: self.own_id(),
                    direction,
                    protocol: unknown.clone().map(|_| Protocol::All),
                    from_port: None,
                    to_port: None,
                    span: unknown.span(),
                    peers: vec![Peer::Cidr(unknown)],
                    description: None,
                    assumptions: Vec::new(),
                });
                continue;
            }
            for (index, inline) in self.inline(direction).into_iter().enumerate() {
                let site = RuleSite {
                    id: format!("{}.{}[{index}]", self.address(), direction.as_str()),
                    group: self.own_id(),
                    direction,
                    span: inline.span(),
                };
                inventory.rules.push(self.rule(inline, site));
            }
        }
    }

    /// Inline `ingress`/`egress` statements of a group or a NACL. A plan lists them as a set
    /// in its own order, so each is paired with the source block whose literal ports and
    /// protocol agree with it (a `dynamic` block matches anything).
    fn inline(&self, direction: Direction) -> Vec<Fields<'_, 'p, 'b, 'a>> {
        let fields = self.fields();
        let name = direction.as_str();
        let planned = fields.planned.get(name).items();
        let blocks: Vec<&SrcBlock> = self.src.map(|block| block.nested(name)).unwrap_or_default();
        let config = fields.config.and_then(|config| json::get(config, name));
        // Statements written as `ingress = [{...}]` rather than as blocks point at the whole
        // list: the plan's set order need not be the source order.
        let attribute = self.src.and_then(|block| block.attrs.get(name));
        let mut used = vec![false; blocks.len()];
        planned
            .into_iter()
            .map(|item| {
                let chosen = best_block(&blocks, &used, item);
                if let Some(index) = chosen
                    && let Some(slot) = used.get_mut(index)
                    && blocks.get(index).is_some_and(|block| !block.dynamic)
                {
                    *slot = true;
                }
                let block_config = match (chosen, config) {
                    (Some(index), Some(config @ Json::Array(_))) => json::items(config).get(index),
                    _ => None,
                };
                Fields {
                    res: self,
                    planned: item,
                    src: chosen.and_then(|index| blocks.get(index).copied()),
                    config: block_config,
                    configured: block_config.is_some(),
                    fallback: attribute
                        .map(|expr| expr.span)
                        .or(self.src.map(|block| block.span)),
                }
            })
            .collect()
    }

    fn rule(&self, fields: Fields<'_, '_, '_, '_>, site: RuleSite) -> SgRule {
        let protocol = fields
            .first(&["protocol", "ip_protocol"])
            .and_then(|attr| attr.value(protocol))
            .unwrap_or_else(|| Value::unknown("protocol is not set", site.span));
        SgRule {
            id: site.id,
            resource: self.address(),
            group: site.group,
            direction: site.direction,
            protocol,
            from_port: fields.attr("from_port").value(json::to_i64),
            to_port: fields.attr("to_port").value(json::to_i64),
            peers: peers(fields),
            // A plan writes `""` for a statement without a description.
            description: fields
                .attr("description")
                .value(json::to_text)
                .filter(|value| value.known_value().is_none_or(|text| !text.is_empty())),
            span: site.span,
            assumptions: Vec::new(),
        }
    }

    fn standalone_rule(&self, direction: Direction, inventory: &mut Inventory) {
        let group = self
            .fields()
            .attr("security_group_id")
            .link_one(GROUP_TYPES, "security_group_id");
        let site = RuleSite {
            id: self.address(),
            group,
            direction,
            span: self.span(),
        };
        inventory.rules.push(self.rule(self.fields(), site));
    }

    fn network_acl(&self, inventory: &mut Inventory) {
        let fields = self.fields();
        inventory.nacls.push(NetworkAcl {
            id: self.address(),
            vpc: fields.attr("vpc_id").link(VPC_TYPES).into_iter().next(),
            is_default: self.instance.kind == "aws_default_network_acl",
            span: self.span(),
            assumptions: Vec::new(),
        });
        for direction in [Direction::Ingress, Direction::Egress] {
            if let Some(unknown) = fields.attr(direction.as_str()).unknown::<Cidr>() {
                let span = unknown.span();
                inventory.nacl_entries.push(NaclEntry {
                    id: format!("{}.{}[0]", self.address(), direction.as_str()),
                    acl: self.own_id(),
                    rule_number: unknown.clone().map(|_| 0),
                    action: unknown.clone().map(|_| NaclAction::Allow),
                    direction,
                    protocol: unknown.clone().map(|_| Protocol::All),
                    from_port: None,
                    to_port: None,
                    cidr: Some(unknown),
                    span,
                    assumptions: Vec::new(),
                });
                continue;
            }
            for (index, inline) in self.inline(direction).into_iter().enumerate() {
                let id = format!("{}.{}[{index}]", self.address(), direction.as_str());
                let span = inline.span();
                let entry = nacl_entry(inline, id, self.own_id(), direction, span);
                inventory.nacl_entries.push(entry);
            }
        }
        for subnet in fields.attr("subnet_ids").link(SUBNET_TYPES) {
            let span = subnet.span();
            inventory.nacl_associations.push(NaclAssociation {
                acl: self.own_id(),
                subnet,
                span,
            });
        }
    }

    fn attachment(&self, spec: &AttachmentSpec) -> Attachment {
        let fields = self.fields();
        let collect = |paths: &[&str], targets: &[&str]| -> Vec<Value<String>> {
            paths
                .iter()
                .flat_map(|path| fields.path(path))
                .flat_map(|attr| attr.link(targets))
                .collect()
        };
        let at_block = self.name_span();
        let flag = |path: &str| {
            fields
                .path(path)
                .into_iter()
                .find(|attr| attr.is_set())
                .and_then(|attr| attr.value(json::to_bool))
        };
        let from_flag = |value: Value<bool>, when_true: Reachability, when_false: Reachability| {
            value.map(|flag| if flag { when_true } else { when_false })
        };
        let fixed = |reach: Reachability| Value::known(reach, at_block);
        let reachability = match spec.reach {
            Reach::PublicIp(path) | Reach::PublicIpOrDefaultVpc(path, _) => flag(path).map_or_else(
                || fixed(Reachability::ViaSubnet),
                |value| from_flag(value, Reachability::Public, Reachability::Private),
            ),
            Reach::Flag(path, default) => flag(path).map_or_else(
                || {
                    fixed(if default {
                        Reachability::Public
                    } else {
                        Reachability::Private
                    })
                },
                |value| from_flag(value, Reachability::Public, Reachability::Private),
            ),
            Reach::Internal => flag("internal").map_or_else(
                || fixed(Reachability::Public),
                |value| from_flag(value, Reachability::Private, Reachability::Public),
            ),
            Reach::Always(reach) => fixed(reach),
        };
        Attachment {
            id: self.address(),
            kind: self.instance.kind.clone(),
            role: spec.role,
            groups: collect(spec.groups, GROUP_TYPES),
            reachability,
            subnets: collect(spec.subnets, SUBNET_TYPES),
            span: self.span(),
            name_span: self.name_span(),
            construct_path: None,
            assumptions: Vec::new(),
            forwards_traffic: flag("source_dest_check")
                .filter(|value| value.known_value() == Some(&false))
                .map(|value| value.span()),
        }
    }
}

/// The index of the unused source block that best agrees with a planned statement.
fn best_block(blocks: &[&SrcBlock], used: &[bool], planned: Planned<'_, '_>) -> Option<usize> {
    let mut best: Option<(i32, usize)> = None;
    for (index, block) in blocks.iter().enumerate() {
        if used.get(index).copied().unwrap_or(true) {
            continue;
        }
        let Some(score) = agreement(block, planned) else {
            continue;
        };
        if best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, index));
        }
    }
    best.map(|(_, index)| index)
}

/// How many literal attributes of a source block equal the planned ones; `None` when one
/// differs. A dynamic block agrees with anything, below any static block.
fn agreement(block: &SrcBlock, planned: Planned<'_, '_>) -> Option<i32> {
    if block.dynamic {
        return Some(-1);
    }
    let mut score = 0;
    for name in ["from_port", "to_port", "protocol", "rule_no", "action"] {
        let Some(literal) = block
            .attrs
            .get(name)
            .and_then(|expr| expr.literal.as_deref())
        else {
            continue;
        };
        let Some(value) = planned
            .get(name)
            .value
            .and_then(|value| json::to_text(value).ok())
        else {
            continue;
        };
        let same = if name == "protocol" {
            Protocol::parse(literal).is_some()
                && Protocol::parse(literal) == Protocol::parse(&value)
        } else {
            literal.eq_ignore_ascii_case(&value)
        };
        if !same {
            return None;
        }
        score += 1;
    }
    Some(score)
}

fn nacl_entry(
    fields: Fields<'_, '_, '_, '_>,
    id: String,
    acl: Value<String>,
    direction: Direction,
    span: Span,
) -> NaclEntry {
    let number = |names: &[&str]| {
        fields
            .first(names)
            .and_then(|attr| attr.value(json::to_i64))
    };
    let protocol = fields
        .attr("protocol")
        .value(protocol)
        .unwrap_or_else(|| Value::unknown("protocol is not set", span));
    let is_icmp = protocol
        .known_value()
        .is_some_and(|protocol| protocol.is_icmp());
    let action = fields
        .first(&["action", "rule_action"])
        .and_then(|attr| attr.value(|value| NaclAction::parse(&json::to_text(value)?)))
        .unwrap_or_else(|| Value::unknown("action is not set", span));
    // A plan writes both address attributes, one of them empty.
    let cidr = NACL_CIDR_ATTRS
        .iter()
        .map(|name| fields.attr(name))
        .find(|attr| attr.is_set() && attr.planned.value.and_then(json::as_str) != Some(""))
        .and_then(|attr| attr.value(cidr));
    let (from, to) = if is_icmp {
        (&["icmp_type"], &["icmp_code"])
    } else {
        (&["from_port"], &["to_port"])
    };
    NaclEntry {
        id,
        acl,
        rule_number: number(&["rule_no", "rule_number"])
            .unwrap_or_else(|| Value::unknown("rule_no is not set", span)),
        action,
        direction,
        from_port: number(from),
        to_port: number(to),
        protocol,
        cidr,
        span,
        assumptions: Vec::new(),
    }
}
