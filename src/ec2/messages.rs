//! A clear sentence for every EC2 error code worth one.

/// What an EC2 error code means for the user, and whether trying again may help.
pub fn explain(code: &str) -> (&'static str, bool) {
    match code {
        "DryRunOperation" => ("EC2 would accept this request.", false),
        "UnauthorizedOperation" => ("The service's AWS role is not allowed to do this.", false),
        "AuthFailure" => ("AWS refused the service's credentials.", false),
        "OptInRequired" => ("The AWS account is not opted in to this Region.", false),
        "InvalidAMIName.Duplicate" => (
            "An image with this name already exists in this account and Region.",
            false,
        ),
        "InvalidAMIName.Malformed" => ("EC2 refused the image name.", false),
        "InvalidSnapshot.NotFound" => (
            "A snapshot in the block device mappings does not exist in this Region.",
            false,
        ),
        "InvalidSnapshotID.Malformed" => ("A snapshot id is malformed.", false),
        "InvalidBlockDeviceMapping" => ("EC2 refused the block device mappings.", false),
        "InvalidKernelId.Malformed" => ("The kernel id is malformed.", false),
        "InvalidParameterValue" => ("EC2 refused a parameter value.", false),
        "InvalidParameterCombination" => ("EC2 refused a combination of parameters.", false),
        "MissingParameter" => ("A required parameter is missing.", false),
        "UnknownParameter" => ("EC2 does not know a parameter of this request.", false),
        "TagPolicyViolation" => ("The tags break the organization's tag policy.", false),
        "RequestExpired" => (
            "The request expired before EC2 saw it; check the server's clock.",
            true,
        ),
        "RequestLimitExceeded" => ("EC2 is throttling requests; try again in a minute.", true),
        "InternalError" | "ServiceUnavailable" | "Unavailable" => {
            ("EC2 had an internal problem; try again.", true)
        }
        _ => ("EC2 refused the request.", false),
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn throttling_is_retryable_and_a_duplicate_name_is_not() {
        assert!(explain("RequestLimitExceeded").1);
        assert!(!explain("InvalidAMIName.Duplicate").1);
        assert_eq!(explain("Whatever").0, "EC2 refused the request.");
    }
}
