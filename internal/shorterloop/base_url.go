package shorterloop

// BaseURL returns the API base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.base.String() }

// Host returns the host, and port if any, that the client sends requests to.
func (c *Client) Host() string { return c.base.Host }
