# Provider and state. State lives in a GCS bucket created once per project by hand
# (docs/deploy.md), one prefix per environment:
#   terraform init -backend-config="bucket=<project>-tfstate" -backend-config="prefix=<env>"
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.40"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app         = "pictolab"
    environment = var.environment
  }
}
