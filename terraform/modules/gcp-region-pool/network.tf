resource "google_compute_subnetwork" "this" {
  project                  = var.project_id
  name                     = var.region.names.subnet
  region                   = var.region.location
  network                  = var.network.id
  ip_cidr_range            = var.region.subnet_cidr
  private_ip_google_access = true
}

# VMs have no external address; NAT lets them pull public images (the collector).
resource "google_compute_router" "this" {
  project = var.project_id
  name    = "${var.region.names.base}-router"
  region  = var.region.location
  network = var.network.id
}

resource "google_compute_router_nat" "this" {
  project                            = var.project_id
  name                               = "${var.region.names.base}-nat"
  router                             = google_compute_router.this.name
  region                             = var.region.location
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
}
