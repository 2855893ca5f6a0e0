"""The organ-harvesting referral pathway with the Human Tissue Authority, and the network of
single points of contact (SPOCs) in forces."""
