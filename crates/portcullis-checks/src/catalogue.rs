//! The curated catalogue of sensitive services: what must never face the internet, and why.

use std::borrow::Cow;

use portcullis_net::{PortRange, Protocol};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    RemoteAdministration,
    Database,
    FileSharing,
    CacheBroker,
    ControlPlane,
    Monitoring,
    Plaintext,
    UdpAmplification,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RemoteAdministration => "remote administration",
            Self::Database => "database",
            Self::FileSharing => "file sharing",
            Self::CacheBroker => "cache or broker",
            Self::ControlPlane => "control plane",
            Self::Monitoring => "monitoring",
            Self::Plaintext => "plaintext protocol",
            Self::UdpAmplification => "udp amplification",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: Cow<'static, str>,
    pub protocol: Protocol,
    pub ports: PortRange,
    pub category: Category,
    pub why: Cow<'static, str>,
}

impl Service {
    /// `ssh (22/tcp)`.
    pub fn label(&self) -> String {
        format!("{} ({}/{})", self.name, self.ports, self.protocol)
    }
}

const fn service(
    name: &'static str,
    protocol: Protocol,
    from: u16,
    to: u16,
    category: Category,
    why: &'static str,
) -> Service {
    Service {
        name: Cow::Borrowed(name),
        protocol,
        ports: PortRange::new(from, to),
        category,
        why: Cow::Borrowed(why),
    }
}

use Category::{
    CacheBroker, ControlPlane, Database, FileSharing, Monitoring, Plaintext, RemoteAdministration,
    UdpAmplification,
};
use Protocol::{Tcp, Udp};

/// The built-in catalogue, grouped by category.
#[rustfmt::skip]
pub const SERVICES: &[Service] = &[
    service("ssh", Tcp, 22, 22, RemoteAdministration, "shell access; brute-forced within minutes of going online"),
    service("telnet", Tcp, 23, 23, RemoteAdministration, "shell access with credentials in cleartext"),
    service("msrpc", Tcp, 135, 135, RemoteAdministration, "Windows RPC endpoint mapper, a classic worm vector"),
    service("rdp", Tcp, 3389, 3389, RemoteAdministration, "Windows remote desktop; brute force and BlueKeep-class exploits"),
    service("rdp-udp", Udp, 3389, 3389, RemoteAdministration, "Windows remote desktop over UDP"),
    service("vnc-http", Tcp, 5800, 5800, RemoteAdministration, "VNC web viewer; often weak or no passwords"),
    service("vnc", Tcp, 5500, 5500, RemoteAdministration, "VNC listen mode; often weak or no passwords"),
    service("vnc", Tcp, 5900, 5903, RemoteAdministration, "remote desktop; often weak or no passwords"),
    service("winrm", Tcp, 5985, 5986, RemoteAdministration, "Windows remote management: remote command execution"),
    service("docker", Tcp, 2375, 2376, RemoteAdministration, "the Docker API is root on the host"),
    service("kubernetes-api", Tcp, 6443, 6443, RemoteAdministration, "the Kubernetes control plane API"),
    service("kubelet", Tcp, 10250, 10250, RemoteAdministration, "kubelet API: command execution in pods"),
    service("kubelet-readonly", Tcp, 10255, 10255, RemoteAdministration, "kubelet read-only API leaks pod specs"),
    service("etcd", Tcp, 2379, 2380, RemoteAdministration, "etcd holds every Kubernetes secret"),
    service("saltstack", Tcp, 4505, 4506, RemoteAdministration, "Salt master: remote code execution on every minion"),
    service("puppet", Tcp, 8140, 8140, RemoteAdministration, "Puppet server: configuration of every node"),
    service("mssql", Tcp, 1433, 1433, Database, "SQL Server; brute force and data theft"),
    service("mssql-browser", Udp, 1434, 1434, Database, "SQL Server browser; reflection and discovery"),
    service("mssql-monitor", Tcp, 1434, 1434, Database, "SQL Server dedicated admin connection"),
    service("oracle", Tcp, 1521, 1522, Database, "Oracle TNS listener"),
    service("oracle", Tcp, 2483, 2484, Database, "Oracle database listener"),
    service("mysql", Tcp, 3306, 3306, Database, "MySQL; brute force and data theft"),
    service("mysql", Tcp, 4333, 4333, Database, "MySQL (alternate port)"),
    service("postgresql", Tcp, 5432, 5432, Database, "PostgreSQL; brute force and data theft"),
    service("mongodb", Tcp, 27017, 27019, Database, "MongoDB; unauthenticated instances are wiped for ransom"),
    service("redis", Tcp, 6379, 6379, Database, "Redis has no authentication by default"),
    service("cassandra", Tcp, 7000, 7001, Database, "Cassandra inter-node traffic"),
    service("cassandra-jmx", Tcp, 7199, 7199, Database, "Cassandra JMX: remote management"),
    service("cassandra", Tcp, 9042, 9042, Database, "Cassandra native protocol"),
    service("cassandra-thrift", Tcp, 9160, 9160, Database, "Cassandra Thrift clients"),
    service("elasticsearch", Tcp, 9200, 9200, Database, "Elasticsearch REST API; frequent source of data leaks"),
    service("elasticsearch", Tcp, 9300, 9300, Database, "Elasticsearch transport"),
    service("kibana", Tcp, 5601, 5601, Database, "Kibana reads every index"),
    service("couchdb", Tcp, 5984, 5984, Database, "CouchDB HTTP API"),
    service("ssas", Tcp, 2382, 2383, Database, "SQL Server Analysis Services"),
    service("influxdb", Tcp, 8086, 8086, Database, "InfluxDB HTTP API"),
    service("ftp", Tcp, 20, 21, FileSharing, "FTP sends credentials in cleartext"),
    service("netbios", Tcp, 137, 139, FileSharing, "NetBIOS session service"),
    service("netbios", Udp, 137, 139, FileSharing, "NetBIOS name and datagram services"),
    service("smb", Tcp, 445, 445, FileSharing, "SMB; WannaCry and EternalBlue"),
    service("rsync", Tcp, 873, 873, FileSharing, "rsync daemon, often without authentication"),
    service("nfs", Tcp, 2049, 2049, FileSharing, "NFS exports trust the network"),
    service("nfs", Udp, 2049, 2049, FileSharing, "NFS exports trust the network"),
    service("cifs", Tcp, 3020, 3020, FileSharing, "CIFS file sharing"),
    service("zookeeper", Tcp, 2181, 2181, CacheBroker, "ZooKeeper coordinates clusters without authentication by default"),
    service("nats", Tcp, 4222, 4222, CacheBroker, "NATS messaging"),
    service("rabbitmq", Tcp, 5672, 5672, CacheBroker, "RabbitMQ AMQP"),
    service("kafka", Tcp, 9092, 9092, CacheBroker, "Kafka brokers without TLS or SASL"),
    service("memcached", Tcp, 11211, 11211, CacheBroker, "Memcached has no authentication"),
    service("memcached", Tcp, 11214, 11215, CacheBroker, "Memcached (TLS and alternate ports)"),
    service("rabbitmq-management", Tcp, 15672, 15672, CacheBroker, "RabbitMQ management UI"),
    service("hadoop-namenode", Tcp, 8020, 8020, ControlPlane, "Hadoop NameNode RPC"),
    service("vault", Tcp, 8200, 8200, ControlPlane, "Vault holds secrets"),
    service("consul", Tcp, 8500, 8500, ControlPlane, "Consul API: service registration and remote execution"),
    service("nomad", Tcp, 4646, 4646, ControlPlane, "Nomad API runs jobs"),
    service("hadoop", Tcp, 9000, 9000, ControlPlane, "Hadoop/HDFS RPC"),
    service("hadoop-namenode-ui", Tcp, 50070, 50070, ControlPlane, "Hadoop NameNode web UI"),
    service("hadoop-namenode-ui", Tcp, 50470, 50470, ControlPlane, "Hadoop NameNode web UI over TLS"),
    service("ldaps", Tcp, 636, 636, ControlPlane, "directory over TLS: domain controllers answer binds, a password-spraying target"),
    service("global-catalog-ssl", Tcp, 3269, 3269, ControlPlane, "Active Directory global catalog over TLS: the whole forest's directory"),
    service("prometheus", Tcp, 9090, 9090, Monitoring, "Prometheus exposes every metric and target"),
    service("node-exporter", Tcp, 9100, 9100, Monitoring, "node exporter reveals host details"),
    service("snmp", Udp, 161, 162, Monitoring, "SNMP community strings are weak; an amplification vector"),
    service("smtp", Tcp, 25, 25, Plaintext, "unencrypted mail relay; open relays are abused for spam"),
    service("http", Tcp, 80, 80, Plaintext, "unencrypted HTTP exposes sessions and credentials"),
    service("pop3", Tcp, 110, 110, Plaintext, "mail retrieval in cleartext"),
    service("imap", Tcp, 143, 143, Plaintext, "mail retrieval in cleartext"),
    service("ldap", Tcp, 389, 389, Plaintext, "directory queries in cleartext"),
    service("global-catalog", Tcp, 3268, 3268, Plaintext, "Active Directory global catalog queries in cleartext"),
    service("dns", Udp, 53, 53, UdpAmplification, "open resolvers amplify DDoS traffic"),
    service("ntp", Udp, 123, 123, UdpAmplification, "monlist amplifies DDoS traffic"),
    service("ldap", Udp, 389, 389, UdpAmplification, "CLDAP amplifies DDoS traffic"),
    service("ssdp", Udp, 1900, 1900, UdpAmplification, "SSDP amplifies DDoS traffic"),
    service("memcached", Udp, 11211, 11211, UdpAmplification, "memcached UDP amplifies DDoS traffic 50,000 times"),
];

/// The services a scan treats as sensitive: the built-in table, changed by the configuration.
#[derive(Clone, Debug)]
pub struct Catalogue {
    services: Vec<Service>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            services: SERVICES.to_vec(),
        }
    }
}

impl Catalogue {
    /// The built-in table without the services named in `remove` (a name such as `http`, or
    /// `80/tcp`), plus `add`.
    pub fn customised(add: Vec<Service>, remove: &[String]) -> Self {
        let mut services: Vec<Service> = SERVICES
            .iter()
            .filter(|service| {
                !remove.iter().any(|removed| {
                    removed.eq_ignore_ascii_case(&service.name)
                        || removed.eq_ignore_ascii_case(&format!(
                            "{}/{}",
                            service.ports, service.protocol
                        ))
                })
            })
            .cloned()
            .collect();
        services.extend(add);
        Self { services }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Service> {
        self.services.iter()
    }

    /// Every service that `protocol` on `ports` touches.
    pub fn touched(&self, protocol: Protocol, ports: PortRange) -> impl Iterator<Item = &Service> {
        self.services.iter().filter(move |service| {
            (protocol == Protocol::All || protocol == service.protocol)
                && ports.intersect(service.ports).is_some()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_the_seed_ports() {
        for (port, protocol) in [
            (22, Tcp),
            (23, Tcp),
            (80, Tcp),
            (445, Tcp),
            (1433, Tcp),
            (3306, Tcp),
            (3389, Tcp),
            (5432, Tcp),
            (161, Udp),
        ] {
            assert!(
                SERVICES
                    .iter()
                    .any(|s| s.protocol == protocol && s.ports.contains(port)),
                "{port}/{protocol}"
            );
        }
    }

    #[test]
    fn configuration_removes_and_adds_services() {
        let grafana = Service {
            name: Cow::Owned("grafana".to_owned()),
            protocol: Tcp,
            ports: PortRange::single(3000),
            category: Monitoring,
            why: Cow::Owned("dashboards".to_owned()),
        };
        let catalogue =
            Catalogue::customised(vec![grafana], &["http".to_owned(), "22/tcp".to_owned()]);
        assert_eq!(catalogue.touched(Tcp, PortRange::single(80)).count(), 0);
        assert_eq!(catalogue.touched(Tcp, PortRange::single(22)).count(), 0);
        assert_eq!(catalogue.touched(Tcp, PortRange::single(3000)).count(), 1);
        assert_eq!(catalogue.touched(Tcp, PortRange::single(3389)).count(), 1);
    }

    #[test]
    fn udp_22_is_not_ssh() {
        assert_eq!(
            Catalogue::default()
                .touched(Udp, PortRange::single(22))
                .count(),
            0
        );
    }
}
