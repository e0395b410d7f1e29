//! Module instances: their configuration in the plan, their source directory, and whether a
//! directory holds the root module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_terraform_core::manifest::is_local_source;

use super::gather::Instance;
use crate::address;
use crate::json::{self, Json};
use crate::source::{Loader, SrcModule};

/// Where to look for the configuration and how to reach module sources.
pub struct SourceRoot<'l, 's> {
    pub loader: &'l mut Loader<'s>,
    pub dir: Option<PathBuf>,
}

/// Where a module instance's configuration and source live.
pub(super) struct ModuleInfo<'b, 'a> {
    pub(super) config: Option<&'b Json<'a>>,
    /// The managed resources of `config` by type and name.
    pub(super) resources: BTreeMap<(&'b str, &'b str), &'b Json<'a>>,
    pub(super) source: Option<Arc<SrcModule>>,
}

pub(super) fn module_info<'b, 'a>(
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
pub(super) fn references<'b>(expression: &'b Json<'_>) -> Vec<&'b str> {
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
