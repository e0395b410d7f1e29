//! EC2-Classic DB security groups, default-VPC instances, Aurora instances, standalone network
//! interfaces and load balancer listeners.

mod common;

use common::{Analysed, analyse};
use portcullis_ir::{Attachment, Direction, Peer, Reachability, Value};
use portcullis_net::Protocol;

fn fixture(name: &str) -> Analysed {
    let path = format!(
        "{}/../../fixtures/cloudformation/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture");
    analyse(name, &text)
}

fn attachment<'a>(analysed: &'a Analysed, id: &str) -> &'a Attachment {
    analysed
        .unit
        .inventory
        .attachments
        .iter()
        .find(|attachment| attachment.id == id)
        .unwrap_or_else(|| panic!("no attachment {id}"))
}

fn groups(attachment: &Attachment) -> Vec<Option<&str>> {
    attachment
        .groups
        .iter()
        .map(|group| group.known_value().map(String::as_str))
        .collect()
}

#[test]
fn db_security_groups_are_groups_with_tcp_rules_to_an_unknown_port() {
    let analysed = fixture("db_security_group.yaml");
    let group = analysed.unit.inventory.group("DbSecGroup").expect("group");
    assert_eq!(analysed.line(group.name_span), 4);
    let reason = "the port of the databases that use DB security group `DbSecGroup` (EC2-Classic)";
    let open = analysed.rule("DbSecGroup.DBSecurityGroupIngress[0]");
    assert_eq!(open.direction, Direction::Ingress);
    assert_eq!(open.protocol.known_value(), Some(&Protocol::Tcp));
    for port in [&open.from_port, &open.to_port] {
        let port = port.as_ref().expect("a port");
        assert_eq!(port.unknown_reason(), Some(reason));
        assert_eq!(analysed.line(port.span()), 9);
    }
    assert_eq!(analysed.cidrs(open)[0].0, "0.0.0.0/0");
    let peer = analysed.rule("DbSecGroup.DBSecurityGroupIngress[1]");
    assert!(
        matches!(&peer.peers[..], [Peer::SecurityGroup(Value::Known { value, .. })] if value == "AppSG")
    );
    let extra = analysed.rule("ExtraIngress");
    assert_eq!(
        extra.group.known_value().map(String::as_str),
        Some("DbSecGroup")
    );
    assert!(
        matches!(&extra.peers[..], [Peer::SecurityGroup(Value::Known { value, .. })] if value == "app-servers")
    );
    assert_eq!(
        extra.from_port.as_ref().and_then(Value::unknown_reason),
        Some(reason)
    );
    let database = attachment(&analysed, "Database");
    assert_eq!(groups(database), [Some("DbSecGroup")]);
    assert!(analysed.unit.problems.is_empty());
}

#[test]
fn an_instance_without_a_subnet_runs_in_the_default_vpc() {
    let analysed = fixture("default_vpc_instance.yaml");
    let web = attachment(&analysed, "Web");
    assert_eq!(
        web.reachability.known_value(),
        Some(&Reachability::DefaultVpc)
    );
    assert_eq!(analysed.text(web.reachability.span()), "Web");
    let private = attachment(&analysed, "Private");
    assert_eq!(
        private.reachability.known_value(),
        Some(&Reachability::Private)
    );
    assert_eq!(analysed.text(private.reachability.span()), "false");
}

#[test]
fn an_aurora_instance_uses_its_clusters_groups() {
    let analysed = fixture("aurora_public_instance.yaml");
    let writer = attachment(&analysed, "Writer");
    assert_eq!(groups(writer), [Some("ClusterSG")]);
    assert_eq!(
        writer.reachability.known_value(),
        Some(&Reachability::Public)
    );
    assert_eq!(analysed.text(writer.reachability.span()), "true");
}

#[test]
fn a_standalone_interface_is_private_without_an_elastic_ip() {
    let analysed = fixture("standalone_eni.yaml");
    let private = attachment(&analysed, "PrivateEni");
    assert_eq!(
        private.reachability.known_value(),
        Some(&Reachability::Private)
    );
    let public = attachment(&analysed, "PublicEni");
    assert_eq!(
        public.reachability.known_value(),
        Some(&Reachability::Public)
    );
    assert_eq!(analysed.text(public.reachability.span()), "!Ref PublicEni");
    assert_eq!(analysed.line(public.reachability.span()), 35);
}
