//! From evaluated module instances to the IR: security groups and their rules, NACLs,
//! attachments, VPCs, subnets, named CIDRs and what could not be followed.

mod attachments;
mod fields;
mod nacls;
mod resource;
mod routing;
mod rules;
mod statement;
mod values;

use portcullis_ir::{
    Direction, Inventory, Listener, NaclAssociation, NamedCidr, SecurityGroup, Subnet, Unresolved,
    Value, Vpc,
};
use portcullis_net::Cidr;
use portcullis_terraform_core::schema::{Links, attachment_spec};

use self::attachments::{attachment, classic_listeners, link_group_names, record_link};
use self::nacls::{NaclForm, NaclSite, nacl_entry, network_acl};
use self::resource::Resource;
use self::routing::Routing;
use self::rules::{RuleForm, db_security_group, security_group, standalone_rule};
use self::values::{cidr, text, unknown_required};
use crate::eval::{Children, Ctx, Key, default_group_id};
use crate::value::{Kind, V};

/// Extracts a root module instance and, through it, every module it calls.
pub fn extract(ctx: &Ctx<'_>, inventory: &mut Inventory) {
    let mut routing = Routing::default();
    let mut links = Links::default();
    walk(ctx, inventory, &mut routing, &mut links);
    routing.apply(inventory);
    links.apply(inventory);
    link_group_names(inventory);
}

fn walk(ctx: &Ctx<'_>, inventory: &mut Inventory, routing: &mut Routing, links: &mut Links) {
    for block in &ctx.module.resources {
        let kind = block.label(0);
        if !is_extracted(kind) {
            continue;
        }
        for instance in &ctx.expand(block).1 {
            let suffix = instance.key.as_ref().map(Key::suffix).unwrap_or_default();
            let resource = Resource {
                ctx,
                block,
                frame: instance.frame.clone(),
                address: format!("{}{kind}.{}{suffix}", ctx.prefix, block.label(1)),
                assumptions: ctx
                    .assumptions
                    .iter()
                    .chain(&instance.assumptions)
                    .cloned()
                    .collect(),
            };
            if !routing.record(kind, &resource) && !record_link(links, kind, &resource) {
                extract_resource(kind, &resource, inventory);
            }
        }
    }
    for call in &ctx.module.calls {
        let name = call.label(0);
        match &*ctx.children(call) {
            Children::Instances(children) => {
                for child in children {
                    walk(child, inventory, routing, links);
                }
            }
            Children::Model(instances) => {
                for instance in instances {
                    crate::models::extract(instance, inventory);
                }
            }
            Children::Unresolved { reason, span } => inventory.unresolved.push(Unresolved {
                subject: format!("{}module.{name}", ctx.prefix),
                reason: reason.clone(),
                span: *span,
            }),
        }
    }
    named_cidrs(ctx, inventory);
}

fn is_extracted(kind: &str) -> bool {
    matches!(
        kind,
        "aws_security_group"
            | "aws_default_security_group"
            | "aws_security_group_rule"
            | "aws_vpc_security_group_ingress_rule"
            | "aws_vpc_security_group_egress_rule"
            | "aws_network_acl"
            | "aws_default_network_acl"
            | "aws_network_acl_rule"
            | "aws_network_acl_association"
            | "aws_vpc"
            | "aws_subnet"
            | "aws_route_table"
            | "aws_route"
            | "aws_route_table_association"
            | "aws_db_security_group"
            | "aws_eip"
            | "aws_eip_association"
            | "aws_lb_listener"
            | "aws_alb_listener"
    ) || attachment_spec(kind).is_some()
}

fn extract_resource(kind: &str, resource: &Resource<'_, '_>, inventory: &mut Inventory) {
    let fields = resource.fields();
    match kind {
        "aws_security_group" | "aws_default_security_group" => {
            security_group(kind, resource, inventory)
        }
        "aws_security_group_rule" => {
            let direction = match fields.get("type").map(|value| value.to_text()) {
                Some(Ok(kind)) if kind == "egress" => Direction::Egress,
                Some(Ok(kind)) if kind == "ingress" => Direction::Ingress,
                other => {
                    let reason = match other {
                        Some(Err(reason)) => format!("the rule type is unknown: {reason}"),
                        _ => "the rule type is neither ingress nor egress".to_owned(),
                    };
                    inventory.unresolved.push(Unresolved {
                        subject: resource.address.clone(),
                        reason,
                        span: resource.block.span,
                    });
                    return;
                }
            };
            standalone_rule(resource, &fields, direction, RuleForm::Classic, inventory);
        }
        "aws_vpc_security_group_ingress_rule" => standalone_rule(
            resource,
            &fields,
            Direction::Ingress,
            RuleForm::Vpc,
            inventory,
        ),
        "aws_vpc_security_group_egress_rule" => standalone_rule(
            resource,
            &fields,
            Direction::Egress,
            RuleForm::Vpc,
            inventory,
        ),
        "aws_network_acl" | "aws_default_network_acl" => network_acl(kind, resource, inventory),
        "aws_db_security_group" => db_security_group(resource, inventory),
        "aws_lb_listener" | "aws_alb_listener" => inventory.listeners.push(Listener {
            load_balancer: fields
                .get("load_balancer_arn")
                .and_then(|value| value.to_value(text))
                .unwrap_or_else(|| unknown_required("load_balancer_arn", resource.block.span)),
            port: fields
                .get("port")
                .and_then(|value| value.to_value(V::to_i64))
                .unwrap_or_else(|| {
                    // Gateway Load Balancers listen on every port and take no `port`.
                    Value::unknown("port is not set", resource.block.span)
                }),
            span: resource.block.span,
            assumptions: resource.assumptions(Vec::new()),
        }),
        "aws_network_acl_rule" => {
            let direction = match fields.get("egress").map(|value| value.to_bool()) {
                Some(Ok(true)) => Direction::Egress,
                _ => Direction::Ingress,
            };
            let statement = resource.statement();
            let acl = statement.required_value(
                &fields,
                "network_acl_id",
                "an entry of an unknown network ACL",
                text,
            );
            let entry = nacl_entry(
                &fields,
                NaclSite {
                    id: resource.address.clone(),
                    acl,
                    direction,
                    form: NaclForm::Standalone,
                    assumptions: resource.assumptions(Vec::new()),
                },
                &statement,
            );
            inventory.nacl_entries.push(entry);
        }
        "aws_network_acl_association" => {
            let get = |name: &str| {
                fields
                    .get(name)
                    .and_then(|value| value.to_value(text))
                    .unwrap_or_else(|| unknown_required(name, resource.block.span))
            };
            inventory.nacl_associations.push(NaclAssociation {
                acl: get("network_acl_id"),
                subnet: get("subnet_id"),
                span: resource.block.span,
            });
        }
        "aws_vpc" => {
            inventory.vpcs.push(Vpc {
                id: resource.address.clone(),
                cidr: fields
                    .get("cidr_block")
                    .and_then(|value| value.to_value(cidr)),
                span: resource.block.span,
            });
            // Every VPC comes with a default group, which `default_security_group_id` names:
            // rules and resources that use it are about that group.
            let labels = resource.block.labels_span;
            inventory.security_groups.push(SecurityGroup {
                id: default_group_id(&resource.address),
                name: Some(Value::known("default".to_owned(), labels)),
                description: None,
                vpc: Some(Value::known(resource.address.clone(), labels)),
                is_default: true,
                span: resource.block.span,
                name_span: labels,
                construct_path: None,
                assumptions: resource.assumptions(Vec::new()),
            });
        }
        "aws_subnet" => inventory.subnets.push(Subnet {
            id: resource.address.clone(),
            vpc: fields.get("vpc_id").and_then(|value| value.to_value(text)),
            cidr: fields
                .get("cidr_block")
                .and_then(|value| value.to_value(cidr)),
            map_public_ip_on_launch: fields
                .get("map_public_ip_on_launch")
                .and_then(|value| value.to_value(V::to_bool)),
            routes_to_internet: None,
            span: resource.block.span,
        }),
        _ => {
            if let Some(spec) = attachment_spec(kind) {
                inventory
                    .attachments
                    .push(attachment(kind, &spec, resource));
            }
            if kind == "aws_elb" {
                classic_listeners(resource, inventory);
            }
        }
    }
}

/// Variables and locals whose value is one CIDR, offered by checks as remedies.
fn named_cidrs(ctx: &Ctx<'_>, inventory: &mut Inventory) {
    let mut named: Vec<(String, String, V)> = ctx
        .vars
        .iter()
        .map(|(name, (value, _))| (name.clone(), format!("var.{name}"), value.clone()))
        .collect();
    for (name, attr) in &ctx.module.locals {
        named.push((
            (*name).to_owned(),
            format!("local.{name}"),
            V::clone(&ctx.local(name, attr.span)),
        ));
    }
    for (name, reference, value) in named {
        let Kind::Str(text) = &value.kind else {
            continue;
        };
        let Ok(cidr) = Cidr::parse(text) else {
            continue;
        };
        let duplicate = inventory
            .named_cidrs
            .iter()
            .any(|seen| seen.reference == reference && seen.span == value.span);
        if !duplicate {
            inventory.named_cidrs.push(NamedCidr {
                name,
                reference,
                cidr,
                span: value.span,
            });
        }
    }
}
