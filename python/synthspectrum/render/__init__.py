"""Drawing: plots (matplotlib Figure objects, never the user's backend) and the HTML renderer
shared by the evaluation and the spectrum reports. Shows a category only when k real records hold it.
"""
