use portcullis_diagnostics::Diagnostic;

use crate::analysis::Context;
use crate::catalogue::Category;
use super::PUBLIC_INGRESS;

declare_rule! {
    /// ## What it does
    /// Reports rule statements that open a database port (MySQL, PostgreSQL, SQL Server, Oracle, MongoDB, Redis, Cassandra, Elasticsearch, Kibana, CouchDB, InfluxDB) to the whole internet.
    ///
    /// ## Why is this bad?
    /// Databases are the most common source of data leaks: internet-wide scanners find exposed instances and brute-force, ransom or simply read them.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 5432
    ///   to_port           = 5432
    ///   cidr_blocks       = ["0.0.0.0/0"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow the database only from the application tier's security group or the VPC CIDR:
    /// ```hcl
    /// resource "aws_security_group_rule" "in" {
    ///   type              = "ingress"
    ///   protocol          = "tcp"
    ///   from_port         = 5432
    ///   to_port           = 5432
    ///   cidr_blocks       = ["10.0.0.0/16"]
    ///   security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing the source CIDR changes who can connect, so the edit is unsafe: it is applied
    /// only with `--fix --unsafe-fixes`, and only where the CIDR is written literally.
    pub static RULE = {
        code: "SG003",
        name: "database-port-open-to-internet",
        category: "database",
        severity: High,
        enabled: true,
        equivalents: [PUBLIC_INGRESS],
    };
}

pub fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::category_exposure::check(context, &RULE, Category::Database, out);
}
