//! The ids the IR gives to items a template implies but does not declare.

/// The id of a VPC's default security group, as `Fn::GetAtt VPC.DefaultSecurityGroup` gives it.
pub fn default_group_id(vpc: &str) -> String {
    format!("{vpc}.DefaultSecurityGroup")
}
