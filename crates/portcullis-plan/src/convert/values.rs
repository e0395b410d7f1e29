//! Planned JSON values as the AWS provider reads them.

use portcullis_net::{Cidr, Protocol};

use crate::json::{self, Json};

pub(super) fn protocol(value: &Json<'_>) -> Result<Protocol, String> {
    portcullis_terraform_core::schema::protocol(&json::to_text(value)?)
}

pub(super) fn cidr(value: &Json<'_>) -> Result<Cidr, String> {
    portcullis_terraform_core::schema::cidr(&json::to_text(value)?)
}
