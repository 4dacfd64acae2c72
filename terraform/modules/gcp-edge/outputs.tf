output "ip_address" {
  description = "The anycast address; point the domains' A records at it."
  value       = google_compute_global_address.this.address
}

output "backend_services" {
  description = "Backend service names: api (uncached) and audio (Cloud CDN)."
  value = {
    api   = google_compute_backend_service.api.name
    audio = google_compute_backend_service.audio.name
  }
}
