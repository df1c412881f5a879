"""tsm-pipeline: Tenant Satisfaction Measures and Complaint Handling Code KPIs."""

__version__ = "0.3.0"
