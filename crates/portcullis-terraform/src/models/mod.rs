//! Offline models of registry modules: when a module is not installed, a model that knows the
//! module's documented inputs turns a call into the resources the module's code would create.
//! A model only produces IR, as evaluating the module would; the checks decide what is bad.

pub(crate) mod security_group;
mod security_group_rules;
mod version;

pub(crate) use security_group::{ModelInstance, extract, output};

/// A module call that a model stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelCall {
    /// The sub-module (`ssh` for `//modules/ssh`), or `None` for the module itself.
    pub submodule: Option<String>,
}

/// The registry address of terraform-aws-modules/security-group, without a host.
const SECURITY_GROUP: &str = "terraform-aws-modules/security-group/aws";

/// What a model makes of an uninstalled call: `None` when no model covers the source, an error
/// when one does but not the version the call asks for.
pub(crate) fn model_call(source: &str, version: Option<&str>) -> Option<Result<ModelCall, String>> {
    let lowered = source.to_ascii_lowercase();
    let address = lowered
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(&lowered);
    let (address, subdir) = match address.split_once("//") {
        Some((address, subdir)) => (address, Some(subdir.trim_end_matches('/'))),
        None => (address, None),
    };
    if address != SECURITY_GROUP {
        return None;
    }
    let submodule = match subdir {
        None | Some("") => None,
        Some(subdir) => {
            let name = subdir.strip_prefix("modules/")?;
            security_group_rules::auto_ingress_rules(name)?;
            Some(name.to_owned())
        }
    };
    if let Some(constraint) = version
        && !version::admits_major(constraint, security_group_rules::MAJOR)
    {
        return Some(Err(format!(
            "source {source} is not installed, and its version constraint {constraint:?} excludes {}.x, the releases the offline model covers (v{}); scan with --download-modules or run terraform init",
            security_group_rules::MAJOR,
            security_group_rules::VERSION
        )));
    }
    Some(Ok(ModelCall { submodule }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_the_model_covers() {
        let plain = Some(Ok(ModelCall { submodule: None }));
        assert_eq!(
            model_call("terraform-aws-modules/security-group/aws", None),
            plain
        );
        assert_eq!(
            model_call(
                "registry.terraform.io/terraform-aws-modules/security-group/aws",
                Some("~> 5.0")
            ),
            plain
        );
        assert_eq!(
            model_call(
                "terraform-aws-modules/security-group/aws//modules/ssh",
                None
            ),
            Some(Ok(ModelCall {
                submodule: Some("ssh".to_owned())
            }))
        );
        assert_eq!(
            model_call(
                "terraform-aws-modules/security-group/aws//modules/nope",
                None
            ),
            None
        );
        assert_eq!(model_call("cloudposse/security-group/aws", None), None);
        assert!(matches!(
            model_call("terraform-aws-modules/security-group/aws", Some("~> 3.0")),
            Some(Err(reason)) if reason.contains("--download-modules or run terraform init")
        ));
    }
}
