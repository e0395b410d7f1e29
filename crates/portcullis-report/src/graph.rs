//! The exposure graph drawn by `--format markdown` (Mermaid) and `--format dot` (Graphviz):
//! public sources → security groups → resources, built only from the exposure paths the checks
//! attached to their findings. Both renderers draw this one graph, so they always agree.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use portcullis_diagnostics::{Certainty, Diagnostic, Exposure, Severity};
use portcullis_ir::{Direction, SourceMap};

/// Beyond this many edges a diagram in a pull-request comment stops being readable.
pub(crate) const MAX_EDGES: usize = 40;

/// Edge labels list at most this many services, then "+N more".
const MAX_LABEL_SERVICES: usize = 3;

/// Node identity; the derived order (sources, groups, resources, each by name) is the
/// output order, which keeps the left-to-right layout in columns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// `0.0.0.0/0` and `::/0` share one node: both mean "anyone".
    Internet,
    Cidr(String),
    /// A name is unique only within its scope (a template, a Terraform root module): the same
    /// logical id in two templates is two groups.
    Group {
        name: String,
        scope: String,
    },
    Target {
        name: String,
        scope: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Source,
    Group,
    Target,
}

#[derive(Debug)]
pub(crate) struct Node {
    /// ASCII letters, digits and `_`, starting with a letter: valid unquoted in Mermaid and DOT.
    pub id: String,
    pub kind: NodeKind,
    /// Raw text; each renderer escapes it for its syntax.
    pub label: String,
    /// The gravest finding through the node; `None` for sources, which are not at fault.
    pub severity: Option<Severity>,
}

#[derive(Debug)]
pub(crate) struct Edge {
    pub from: String,
    pub to: String,
    /// The exposed services, raw.
    pub label: String,
    pub severity: Severity,
    /// Every finding behind the edge depends on values that could not be resolved.
    pub possible: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Edges left out by the cap.
    pub omitted: usize,
}

impl Graph {
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }
}

/// Fill, border and text colours of a severity, shared so both formats look alike.
pub(crate) fn palette(severity: Severity) -> (&'static str, &'static str, &'static str) {
    match severity {
        Severity::Critical => ("#b60205", "#6e0000", "#ffffff"),
        Severity::High => ("#d93f0b", "#8a2400", "#ffffff"),
        Severity::Medium => ("#fbca04", "#9a7b00", "#000000"),
        Severity::Low => ("#c2e0c6", "#4a7a50", "#000000"),
        Severity::Info => ("#d4e5f9", "#4a6a90", "#000000"),
    }
}

/// Colours of source nodes.
pub(crate) const SOURCE_PALETTE: (&str, &str, &str) = ("#e1e4e8", "#57606a", "#000000");

#[derive(Default)]
struct EdgeData {
    services: BTreeSet<String>,
    severity: Option<Severity>,
    definite: bool,
}

/// One hop of a finding's path, with the services it adds to the edge's label (none when
/// the label comes from a more precise finding).
struct Hop {
    from: Key,
    to: Key,
    services: Vec<String>,
}

/// A finding reduced to what the map needs.
struct Path<'a> {
    finding: &'a Diagnostic,
    sources: BTreeSet<Key>,
    groups: BTreeSet<Key>,
    target: Option<Key>,
    services: Vec<String>,
}

/// Where a finding's names are unique: the roots of module code, the root module directory of
/// a Terraform file, or the template.
fn scopes(sources: &SourceMap, finding: &Diagnostic) -> Vec<String> {
    if !finding.roots.is_empty() {
        return finding.roots.clone();
    }
    let path = sources.path(finding.span.file);
    if path.ends_with(".tf") || path.ends_with(".tf.json") {
        let dir = std::path::Path::new(&path)
            .parent()
            .map(|dir| dir.to_string_lossy().into_owned())
            .filter(|dir| !dir.is_empty());
        return vec![dir.unwrap_or_else(|| ".".to_owned())];
    }
    vec![path]
}

/// The paths of a finding, one per scope, or none when it has nothing to draw: egress,
/// network ACLs (which filter subnets, not groups), or neither a group nor a resource to reach.
fn paths_of<'a>(sources: &SourceMap, finding: &'a Diagnostic) -> Vec<Path<'a>> {
    let Some(exposure) = finding.exposure.as_ref() else {
        return Vec::new();
    };
    if exposure.direction != Direction::Ingress
        || finding.rule.category == "network-acl"
        || (exposure.groups.is_empty() && exposure.target.is_none())
    {
        return Vec::new();
    }
    scopes(sources, finding)
        .into_iter()
        .map(|scope| Path {
            finding,
            sources: cidrs(exposure).map(source_key).collect(),
            groups: exposure
                .groups
                .iter()
                .map(|group| Key::Group {
                    name: group.clone(),
                    scope: scope.clone(),
                })
                .collect(),
            target: exposure.target.as_ref().map(|target| Key::Target {
                name: target.clone(),
                scope: scope.clone(),
            }),
            services: if exposure.services.is_empty() {
                vec![traffic(exposure)]
            } else {
                exposure.services.clone()
            },
        })
        .collect()
}

/// The public sources of an exposure; the peer when the check listed none.
fn cidrs(exposure: &Exposure) -> impl Iterator<Item = &str> {
    let cidrs = if exposure.sources.is_empty() {
        std::slice::from_ref(&exposure.peer)
    } else {
        exposure.sources.as_slice()
    };
    cidrs.iter().map(|cidr| cidr.trim())
}

/// The hops of every path. A resource finding lists all the sources and groups behind the
/// resource, not which source passes which group, so the hops into a group come from the
/// findings about that group's rules; the resource finding's own sources are used only for a
/// group no such finding covers (a suppressed rule, say).
fn hops(paths: &[Path<'_>]) -> Vec<Vec<Hop>> {
    let mut into_group: BTreeMap<&Key, BTreeSet<&Key>> = BTreeMap::new();
    let mut group_services: BTreeMap<&Key, BTreeSet<&str>> = BTreeMap::new();
    for path in paths.iter().filter(|path| path.target.is_none()) {
        for group in &path.groups {
            into_group.entry(group).or_default().extend(&path.sources);
            group_services
                .entry(group)
                .or_default()
                .extend(path.services.iter().map(String::as_str));
        }
    }
    let hop = |from: &Key, to: &Key, services: &[String]| Hop {
        from: from.clone(),
        to: to.clone(),
        services: services.to_vec(),
    };
    paths
        .iter()
        .map(|path| {
            let mut hops = Vec::new();
            let Some(target) = &path.target else {
                for group in &path.groups {
                    hops.extend(
                        path.sources
                            .iter()
                            .map(|source| hop(source, group, &path.services)),
                    );
                }
                return hops;
            };
            if path.groups.is_empty() {
                hops.extend(
                    path.sources
                        .iter()
                        .map(|source| hop(source, target, &path.services)),
                );
            }
            for group in &path.groups {
                match into_group.get(group) {
                    Some(sources) => {
                        hops.extend(sources.iter().map(|source| hop(source, group, &[])));
                    }
                    None => hops.extend(
                        path.sources
                            .iter()
                            .map(|source| hop(source, group, &path.services)),
                    ),
                }
                // Through this group, the services its own rules expose, when they are known.
                let through: Vec<String> = path
                    .services
                    .iter()
                    .filter(|service| {
                        group_services
                            .get(group)
                            .is_some_and(|known| known.contains(service.as_str()))
                    })
                    .cloned()
                    .collect();
                let services = if through.is_empty() {
                    &path.services
                } else {
                    &through
                };
                hops.push(hop(group, target, services));
            }
            hops
        })
        .collect()
}

fn source_key(cidr: &str) -> Key {
    match cidr.trim() {
        "0.0.0.0/0" | "::/0" => Key::Internet,
        other => Key::Cidr(other.to_owned()),
    }
}

/// What an edge carries when the finding names no catalogued service.
fn traffic(exposure: &Exposure) -> String {
    let protocol = exposure.protocol.name();
    match (protocol.as_str(), exposure.ports) {
        ("all", _) => "all traffic".to_owned(),
        (_, None) => format!("all {protocol} traffic"),
        ("icmp" | "icmpv6", _) => protocol,
        (_, Some(ports)) if ports.is_all() => format!("all {protocol} ports"),
        (_, Some(ports)) => format!("{ports}/{protocol}"),
    }
}

fn edge_label(services: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = services
        .iter()
        .take(MAX_LABEL_SERVICES)
        .map(String::as_str)
        .collect();
    let label = shown.join(", ");
    match services.len().checked_sub(MAX_LABEL_SERVICES) {
        Some(more) if more > 0 => format!("{label} +{more} more"),
        _ => label,
    }
}

/// Lowercase ASCII letters, digits and single underscores, at most 40 characters.
fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    slug.trim_matches('_').to_owned()
}

/// The graph of `findings`, at most `max_edges` edges. Paths are admitted whole, gravest
/// finding first, so a shown resource always keeps the hops that lead to it.
pub(crate) fn build(sources: &SourceMap, findings: &[Diagnostic], max_edges: usize) -> Graph {
    let paths: Vec<Path<'_>> = findings
        .iter()
        .flat_map(|finding| paths_of(sources, finding))
        .collect();
    let hops = hops(&paths);
    let mut edges: BTreeMap<(Key, Key), EdgeData> = BTreeMap::new();
    let mut severities: BTreeMap<Key, Severity> = BTreeMap::new();
    for (path, hops) in paths.iter().zip(&hops) {
        let finding = path.finding;
        for hop in hops {
            let data = edges.entry((hop.from.clone(), hop.to.clone())).or_default();
            data.services.extend(hop.services.iter().cloned());
            data.severity = data.severity.max(Some(finding.severity));
            data.definite |= finding.certainty == Certainty::Definite;
            for key in [&hop.from, &hop.to] {
                if matches!(key, Key::Group { .. } | Key::Target { .. }) {
                    let severity = severities.entry(key.clone()).or_insert(finding.severity);
                    *severity = (*severity).max(finding.severity);
                }
            }
        }
    }
    let internet_cidrs: BTreeSet<&str> = paths
        .iter()
        .filter_map(|path| path.finding.exposure.as_ref())
        .flat_map(cidrs)
        .filter(|cidr| source_key(cidr) == Key::Internet)
        .collect();

    // A stable sort keeps the findings' own order among equal severities.
    let mut order: Vec<(Severity, &Vec<Hop>)> = paths
        .iter()
        .zip(&hops)
        .map(|(path, hops)| (path.finding.severity, hops))
        .collect();
    order.sort_by_key(|(severity, _)| Reverse(*severity));
    let mut shown: BTreeSet<(&Key, &Key)> = BTreeSet::new();
    for (_, hops) in order {
        let new: BTreeSet<(&Key, &Key)> = hops
            .iter()
            .map(|hop| (&hop.from, &hop.to))
            .filter(|hop| !shown.contains(hop))
            .collect();
        if shown.len() + new.len() <= max_edges {
            shown.extend(new);
        }
    }

    let keys: BTreeSet<&Key> = shown.iter().flat_map(|(from, to)| [*from, *to]).collect();
    // A name shown in several scopes says which one each node is.
    let mut scopes_of_name: BTreeMap<&str, usize> = BTreeMap::new();
    for key in &keys {
        if let Key::Group { name, .. } | Key::Target { name, .. } = key {
            *scopes_of_name.entry(name.as_str()).or_default() += 1;
        }
    }
    let label_of = |name: &String, scope: &String| {
        if scopes_of_name.get(name.as_str()).copied().unwrap_or(0) > 1 {
            format!("{name} ({scope})")
        } else {
            name.clone()
        }
    };
    let mut ids: BTreeMap<&Key, String> = BTreeMap::new();
    let mut nodes = Vec::new();
    let mut counters = [0usize; 3];
    for key in keys {
        let (kind, label, prefix, counter) = match key {
            Key::Internet => {
                let cidrs: Vec<&str> = internet_cidrs.iter().copied().collect();
                nodes.push(Node {
                    id: "internet".to_owned(),
                    kind: NodeKind::Source,
                    label: format!("Internet ({})", cidrs.join(", ")),
                    severity: None,
                });
                ids.insert(key, "internet".to_owned());
                continue;
            }
            Key::Cidr(cidr) => (NodeKind::Source, cidr.clone(), "src", 0),
            Key::Group { name, scope } => (NodeKind::Group, label_of(name, scope), "sg", 1),
            Key::Target { name, scope } => (NodeKind::Target, label_of(name, scope), "res", 2),
        };
        counters[counter] += 1;
        let slug = slug(&label);
        let id = if slug.is_empty() {
            format!("{prefix}{}", counters[counter])
        } else {
            format!("{prefix}{}_{slug}", counters[counter])
        };
        ids.insert(key, id.clone());
        nodes.push(Node {
            id,
            kind,
            label,
            severity: severities.get(key).copied(),
        });
    }
    let total = edges.len();
    let edges: Vec<Edge> = edges
        .iter()
        .filter(|((from, to), _)| shown.contains(&(from, to)))
        .filter_map(|((from, to), data)| {
            Some(Edge {
                from: ids.get(from)?.clone(),
                to: ids.get(to)?.clone(),
                label: edge_label(&data.services),
                severity: data.severity?,
                possible: !data.definite,
            })
        })
        .collect();
    Graph {
        omitted: total - edges.len(),
        nodes,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_identifiers() {
        assert_eq!(slug("aws_instance.web[\"é; #1\"]"), "aws_instance_web_1");
        assert_eq!(slug("::/0"), "0");
        assert_eq!(slug("\"#;"), "");
        assert!(slug(&"x".repeat(100)).len() <= 40);
    }

    #[test]
    fn labels_name_at_most_three_services() {
        let services: BTreeSet<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
        assert_eq!(edge_label(&services), "a, b, c +2 more");
        let services: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
        assert_eq!(edge_label(&services), "a, b, c");
    }

    #[test]
    fn whole_space_sources_share_the_internet_node() {
        assert_eq!(source_key(" ::/0"), Key::Internet);
        assert_eq!(source_key("0.0.0.0/0"), Key::Internet);
        assert_eq!(source_key("0.0.0.0/1"), Key::Cidr("0.0.0.0/1".to_owned()));
    }
}
