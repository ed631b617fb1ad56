package shorterloop

// BaseURL returns the API base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.base.String() }
