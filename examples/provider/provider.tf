# Credentials are best left to the environment:
#   export SHORTERLOOP_API_TOKEN=...        # bearer token (JWT) from Shorter Loop
#   export SHORTERLOOP_INITIATIVE_ID=SHO-MJXR
provider "shorterloop" {}

# Or set them explicitly; an attribute wins over its environment variable.
provider "shorterloop" {
  alias         = "explicit"
  api_token     = var.shorterloop_api_token
  initiative_id = "SHO-MJXR"
  base_url      = "https://api.shorterloop.com"
}

variable "shorterloop_api_token" {
  type      = string
  sensitive = true
}
