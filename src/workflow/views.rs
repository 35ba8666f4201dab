//! The workflow panel of a request page: state, approvals, preflight, actions, image.
