//! Plans and tracks the rollout: plug counts, cost per plug by phase and department, raccordabilité, plan vs realised vs forecast.
