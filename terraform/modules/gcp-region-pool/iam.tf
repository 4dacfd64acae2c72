resource "google_service_account" "node" {
  project      = var.project_id
  account_id   = "${var.region.names.node_pool}-sa"
  display_name = "Speechgate node (${var.region.name})"
}

resource "google_project_iam_member" "node" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/cloudtrace.agent",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.node.email}"
}

resource "google_secret_manager_secret_iam_member" "node" {
  project   = var.project_id
  secret_id = var.internal_auth_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.node.email}"
}

resource "google_storage_bucket_iam_member" "voices" {
  bucket = split("/", trimprefix(var.voices_uri, "gs://"))[0]
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.node.email}"
}
