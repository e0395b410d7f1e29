//! Template resources to IR items: which kind of resource becomes which items.

mod attachments;
mod builder;
mod groups;
mod listeners;
mod network;
mod suppressions;
mod values;

use portcullis_ir::Direction;

use self::attachments::attachment_spec;
use self::builder::Resource;
use crate::eval::World;
use crate::tree::{Entry, Node};

pub use self::builder::Builder;

impl<'a> Builder<'_, 'a> {
    pub fn build(&mut self) {
        let template = self.template;
        for &entry in &template.resources {
            self.resource(entry);
        }
        self.routes();
        self.links();
    }

    fn resource(&mut self, entry: &'a Entry) {
        let id = entry.key.as_str();
        let span = entry.key_span.cover(entry.value.span);
        if id.starts_with("Fn::ForEach") {
            self.unresolved(
                id,
                "the Fn::ForEach loop could not be expanded (its collection is not a list of strings known before deployment, or it is too large); the resources it creates were not analysed",
                span,
            );
            return;
        }
        let kind = entry.value.get("Type").and_then(Node::as_str);
        if let Some(module) = kind.filter(|kind| kind.ends_with("::MODULE")) {
            self.unresolved(
                id,
                format!("{module} is a CloudFormation module; the resources it creates were not analysed"),
                span,
            );
            return;
        }
        let Some(kind) = kind else {
            let reason = if entry.value.get("Type").is_some() {
                "its Type is not a plain string (a module or a macro), so it was not expanded"
            } else {
                "the resource has no Type"
            };
            self.unresolved(id, reason, span);
            return;
        };
        let mut base = World::new();
        if let Some(condition) = entry.value.get("Condition")
            && let Some(name) = condition.as_str()
        {
            match self.template.exists(name) {
                Some(true) => {}
                Some(false) => return,
                None => {
                    base.insert(name.to_owned(), (true, condition.span));
                }
            }
        }
        self.declared_suppressions(entry.value.get("Metadata"), span);
        let construct_path = entry
            .value
            .get("Metadata")
            .and_then(|metadata| metadata.get("aws:cdk:path"))
            .and_then(Node::as_str)
            .map(str::to_owned);
        let resource = Resource {
            id,
            kind,
            props: entry.value.get("Properties"),
            base,
            span,
            name_span: entry.key_span,
            construct_path,
        };
        match kind {
            "AWS::EC2::SecurityGroup" => self.security_group(&resource),
            "AWS::EC2::SecurityGroupIngress" => self.rule_resource(&resource, Direction::Ingress),
            "AWS::EC2::SecurityGroupEgress" => self.rule_resource(&resource, Direction::Egress),
            "AWS::RDS::DBSecurityGroup" => self.db_security_group(&resource),
            "AWS::RDS::DBSecurityGroupIngress" => self.db_ingress_resource(&resource),
            "AWS::EC2::VPC" => self.vpc(&resource),
            "AWS::EC2::Subnet" => self.subnet(&resource),
            "AWS::EC2::NetworkAcl" => self.nacl(&resource),
            "AWS::EC2::NetworkAclEntry" => self.nacl_entry(&resource),
            "AWS::EC2::SubnetNetworkAclAssociation" => self.nacl_association(&resource),
            "AWS::ElasticLoadBalancingV2::Listener" => self.listener(&resource),
            _ => match attachment_spec(kind) {
                Some(spec) => {
                    self.attachment(&resource, &spec);
                    if kind == "AWS::ElasticLoadBalancing::LoadBalancer" {
                        self.classic_listeners(&resource);
                    }
                }
                // Not a resource the analysis reads: its macros do not matter.
                None => return,
            },
        }
        // A macro over the whole Properties (`Fn::Transform` beside the other keys) may add or
        // change anything: what is written was analysed, what the macro makes was not.
        let transform = resource
            .props
            .and_then(Node::entries)
            .and_then(|entries| entries.iter().find(|entry| entry.key == "Fn::Transform"));
        if let Some(transform) = transform {
            let macro_name = transform
                .value
                .get("Name")
                .and_then(Node::as_str)
                .map_or_else(String::new, |name| format!(" {name}"));
            self.unresolved(
                id,
                format!("its Properties go through the macro{macro_name} (Fn::Transform); what is deployed may differ from what is written"),
                transform.key_span,
            );
        }
    }
}
