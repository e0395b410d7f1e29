//! A module directory's declarations, indexed by name, borrowed from its parsed files.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::paths::{display, is_tfvars};
use crate::syntax::{Attr, Block, Body, ParsedFile, is_override};

#[derive(Debug, Default)]
pub struct Module<'a> {
    /// The directory as a display path.
    pub dir: String,
    pub variables: BTreeMap<&'a str, Block<'a>>,
    pub locals: BTreeMap<&'a str, Attr<'a>>,
    /// `resource` blocks in file order.
    pub resources: Vec<Block<'a>>,
    /// `data` blocks in file order.
    pub data: Vec<Block<'a>>,
    pub calls: Vec<Block<'a>>,
    pub outputs: BTreeMap<&'a str, Block<'a>>,
}

/// The bodies of blocks that override files change, by block type and labels: overrides
/// first (the last file first), the original block last.
pub type Layering<'a> = BTreeMap<(&'a str, Vec<&'a str>), Vec<Body<'a>>>;

/// Pairs each block of the module with the blocks of override files that match it.
pub fn layering<'a>(files: &'a [Arc<ParsedFile>]) -> Layering<'a> {
    let mut bases: BTreeMap<(&str, Vec<&str>), Body<'a>> = BTreeMap::new();
    let mut overrides: Layering<'a> = BTreeMap::new();
    for file in files.iter().filter(|file| !is_tfvars(file.path())) {
        let Some(body) = file.body() else { continue };
        let over = is_override(file.path());
        for block in body
            .blocks()
            .into_iter()
            .filter(|block| block.ident != "locals")
        {
            let key = (block.ident, block.labels.clone());
            if over {
                overrides.entry(key).or_default().push(block.body);
            } else {
                bases.entry(key).or_insert(block.body);
            }
        }
    }
    overrides
        .into_iter()
        .filter_map(|(key, mut layers)| {
            let base = *bases.get(&key)?;
            layers.reverse();
            layers.push(base);
            Some((key, layers))
        })
        .collect()
}

impl<'a> Module<'a> {
    /// Indexes `.tf` and `.tf.json` files (tfvars files are not part of a module). Blocks of
    /// override files are merged into the blocks they match through `layering`; their locals
    /// replace the locals of the same name.
    pub fn new(
        dir: &Path,
        files: &'a [Arc<ParsedFile>],
        layering: Option<&'a Layering<'a>>,
    ) -> Self {
        let mut module = Self {
            dir: display(dir),
            ..Self::default()
        };
        let (overrides, originals): (Vec<&Arc<ParsedFile>>, Vec<&Arc<ParsedFile>>) = files
            .iter()
            .filter(|file| !is_tfvars(file.path()))
            .partition(|file| is_override(file.path()));
        for file in originals {
            let Some(body) = file.body() else { continue };
            for mut block in body.blocks() {
                if let Some(layers) =
                    layering.and_then(|layering| layering.get(&(block.ident, block.labels.clone())))
                {
                    block.body = Body::Layers(layers);
                }
                match block.ident {
                    "variable" => {
                        module.variables.entry(block.label(0)).or_insert(block);
                    }
                    "locals" => {
                        for attr in block.body.attrs() {
                            module.locals.entry(attr.name).or_insert(attr);
                        }
                    }
                    "resource" => module.resources.push(block),
                    "data" => module.data.push(block),
                    "module" => module.calls.push(block),
                    "output" => {
                        module.outputs.entry(block.label(0)).or_insert(block);
                    }
                    _ => {}
                }
            }
        }
        for file in overrides {
            let Some(body) = file.body() else { continue };
            for block in body
                .blocks()
                .into_iter()
                .filter(|block| block.ident == "locals")
            {
                for attr in block.body.attrs() {
                    module.locals.insert(attr.name, attr);
                }
            }
        }
        module
    }

    pub fn resource(&self, kind: &str, name: &str) -> Option<&Block<'a>> {
        self.resources
            .iter()
            .find(|block| block.label(0) == kind && block.label(1) == name)
    }

    pub fn data_source(&self, kind: &str, name: &str) -> Option<&Block<'a>> {
        self.data
            .iter()
            .find(|block| block.label(0) == kind && block.label(1) == name)
    }

    pub fn has_resource_type(&self, kind: &str) -> bool {
        self.resources.iter().any(|block| block.label(0) == kind)
    }

    pub fn call(&self, name: &str) -> Option<&Block<'a>> {
        self.calls.iter().find(|block| block.label(0) == name)
    }
}
