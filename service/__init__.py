"""The outside of craftledger: application, HTTP API, pages, signing, CLI and configuration."""
