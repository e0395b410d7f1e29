variable "office_cidr" {
  description = "The office's public range, allowed to reach the bastion."
  type        = string
  default     = "203.0.113.0/28"
}

variable "debug_cidrs" {
  description = "Who may SSH into the application servers."
  type        = list(string)
  default     = ["10.40.0.0/16"]
}
