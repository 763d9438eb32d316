//! The operator's digital-services catalogue: services, public bodies, subscriptions, usage, funding.
