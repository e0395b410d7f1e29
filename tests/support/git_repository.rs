//! Git repositories written object by object with gix, for download tests (file:// URLs).
#![allow(dead_code)]

use std::path::PathBuf;

/// A git repository at `path`, written object by object.
pub struct Repo {
    pub repo: gix::Repository,
    pub path: PathBuf,
}

impl Repo {
    pub fn new(path: PathBuf) -> Repo {
        let repo = gix::init(&path).unwrap();
        Repo { repo, path }
    }

    pub fn blob(&self, data: &[u8]) -> gix::ObjectId {
        self.repo.write_blob(data).unwrap().detach()
    }

    pub fn tree(
        &self,
        entries: Vec<(&str, gix::objs::tree::EntryKind, gix::ObjectId)>,
    ) -> gix::ObjectId {
        let mut entries: Vec<gix::objs::tree::Entry> = entries
            .into_iter()
            .map(|(name, kind, oid)| gix::objs::tree::Entry {
                mode: kind.into(),
                filename: name.into(),
                oid,
            })
            .collect();
        entries.sort();
        self.repo
            .write_object(&gix::objs::Tree { entries })
            .unwrap()
            .detach()
    }

    pub fn commit(
        &self,
        reference: &str,
        tree: gix::ObjectId,
        parents: Vec<gix::ObjectId>,
    ) -> gix::ObjectId {
        let signature = gix::actor::SignatureRef {
            name: "Test".into(),
            email: "test@example.com".into(),
            time: "1700000000 +0000",
        };
        self.repo
            .commit_as(signature, signature, reference, "commit", tree, parents)
            .unwrap()
            .detach()
    }

    pub fn url(&self, query: &str) -> String {
        format!("git::file://{}{query}", self.path.display())
    }
}
